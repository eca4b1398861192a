/**
 * Routes of the evidence layer (issue 5), mounted under /v1: receipts of a packet, a recipient's
 * retrieval receipt, the caller's view of the audit log with proofs, signed checkpoints, and the
 * evidence bundle of a packet. Thin: parse with zod, call one function of server/evidence.ts, render.
 */
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { RetrievalReceiptBody } from '../../protocol/evidence.ts';
import { memberOf } from '../auth.ts';
import { NoQuery, PacketParams, parse } from '../validate.ts';
import { acceptRetrievalReceipt, checkpointNow, evidenceBundle, latestCheckpoint, partyAuditExport, receiptsFor } from '../evidence.ts';
import type { Hub } from '../hub.ts';


/** `from`: sizes of checkpoints the caller kept, comma-separated; the export proves it extends each. */
const AuditQuery = z.strictObject({
  from: z
    .string()
    .regex(/^\d{1,12}(,\d{1,12}){0,63}$/, 'a comma-separated list of log sizes')
    .transform((s) => s.split(',').map(Number))
    .optional(),
});

export function evidenceRoutes(hub: Hub, auth: RequestHandler): express.Router {
  const router = express.Router();
  const json = express.json({ limit: '128kb', strict: true, type: 'application/json' });

  router.get('/packets/:id/receipts', auth, async (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    parse(NoQuery, req.query, 'query');
    res.json(await receiptsFor(hub, memberOf(res), id));
  });
  router.post('/packets/:id/receipts', auth, json, async (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    parse(NoQuery, req.query, 'query');
    const body = parse(RetrievalReceiptBody, req.body, 'body');
    res.status(201).json(await acceptRetrievalReceipt(hub, memberOf(res), id, body));
  });
  router.get('/packets/:id/evidence', auth, async (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    parse(NoQuery, req.query, 'query');
    res.json(await evidenceBundle(hub, memberOf(res), id));
  });
  router.get('/audit', auth, async (req, res) => {
    const { from } = parse(AuditQuery, req.query, 'query');
    res.json(await partyAuditExport(hub, memberOf(res), from ?? []));
  });
  router.get('/audit/checkpoints/latest', auth, async (req, res) => {
    parse(NoQuery, req.query, 'query');
    res.json(await latestCheckpoint(hub));
  });
  router.post('/audit/checkpoints', auth, async (req, res) => {
    parse(NoQuery, req.query, 'query');
    res.status(201).json(await checkpointNow(hub));
  });
  return router;
}
