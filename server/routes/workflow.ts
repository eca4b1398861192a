/**
 * HTTP routes of the treaty workflow (issue 4), mounted under /v1 by app.ts. Thin: each parses
 * its parameters and body with zod, calls one domain function in server/workflow.ts, renders.
 */
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { AuthenticityAnswerBody, DelayNoticeBody, OralConfirmBody, OralRequestBody, PurposeChangeBody, StateChangeBody } from '../../protocol/workflow.ts';
import { memberOf } from '../auth.ts';
import { OralRequestListQuery, RequestListQuery } from '../../protocol/api.ts';
import { NoQuery, PacketParams, parse } from '../validate.ts';
import { RecordId } from '../../protocol/ids.ts';
import type { Hub } from '../hub.ts';
import {
  answerAuthenticity,
  askAuthenticity,
  changeState,
  confirmOralRequest,
  deadlines,
  demandOralConfirmation,
  getAuthenticity,
  listAuthenticity,
  oralRequestPage,
  listPurposeChanges,
  requestPage,
  notifyDelay,
  recordOralRequest,
  requestPurposeChange,
  requestViews,
} from '../workflow.ts';


const IdParams = z.strictObject({ id: RecordId });

export function workflowRoutes(hub: Hub, auth: RequestHandler): express.Router {
  const router = express.Router();
  const json = express.json({ limit: '64kb', strict: true, type: 'application/json' });

  router.get('/requests', auth, (req, res) => {
    res.json(requestPage(hub, memberOf(res), parse(RequestListQuery, req.query, 'query')));
  });
  router.get('/requests/:id', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(requestViews(hub, memberOf(res), id));
  });
  router.post('/requests/:id/state', auth, json, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(changeState(hub, memberOf(res), id, parse(StateChangeBody, req.body, 'body')));
  });
  router.post('/requests/:id/delay', auth, json, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(notifyDelay(hub, memberOf(res), id, parse(DelayNoticeBody, req.body, 'body')));
  });
  router.get('/deadlines', auth, (req, res) => {
    parse(NoQuery, req.query, 'query');
    res.json(deadlines(hub, memberOf(res)));
  });

  router.get('/oral-requests', auth, (req, res) => {
    res.json(oralRequestPage(hub, memberOf(res), parse(OralRequestListQuery, req.query, 'query')));
  });
  router.post('/oral-requests', auth, json, (req, res) => {
    res.status(201).json(recordOralRequest(hub, memberOf(res), parse(OralRequestBody, req.body, 'body')));
  });
  router.post('/oral-requests/:id/demand', auth, (req, res) => {
    const { id } = parse(IdParams, req.params, 'oral request id');
    res.json(demandOralConfirmation(hub, memberOf(res), id));
  });
  router.post('/oral-requests/:id/confirm', auth, json, (req, res) => {
    const { id } = parse(IdParams, req.params, 'oral request id');
    res.json(confirmOralRequest(hub, memberOf(res), id, parse(OralConfirmBody, req.body, 'body')));
  });

  router.get('/packets/:id/authenticity', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(listAuthenticity(hub, memberOf(res), id));
  });
  router.post('/packets/:id/authenticity', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.status(201).json(askAuthenticity(hub, memberOf(res), id));
  });
  router.get('/authenticity/:id', auth, (req, res) => {
    const { id } = parse(IdParams, req.params, 'authenticity request id');
    res.json(getAuthenticity(hub, memberOf(res), id));
  });
  router.post('/authenticity/:id/confirm', auth, json, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'authenticity request id');
    res.json(await answerAuthenticity(hub, memberOf(res), id, parse(AuthenticityAnswerBody, req.body, 'body')));
  });

  router.get('/packets/:id/purpose-changes', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(listPurposeChanges(hub, memberOf(res), id));
  });
  router.post('/packets/:id/purpose-changes', auth, json, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.status(201).json(requestPurposeChange(hub, memberOf(res), id, parse(PurposeChangeBody, req.body, 'body')));
  });
  return router;
}
