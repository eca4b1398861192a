/**
 * Routes of a packet's parts: download one part's bytes (extra key wraps for the caller's party,
 * then the stored ciphertext), and add key wraps so one more member of a reading party can read it.
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 * A part is streamed from the blob store, never read into memory whole.
 */
import { z } from 'zod';
import { PART_SHA256_HEADER, RewrapBody, WRAP_LENGTH_HEADER, WrapsResult } from '../../protocol/api.ts';
import { Sha256Hex } from '../../protocol/ids.ts';
import { ANSWERED, defineRoute, type RouteSpec } from '../http/route.ts';
import { addMemberWraps, openPart } from '../packets.ts';
import { PacketParams, PartParams } from './params.ts';

export const partRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets/:id/parts/:partId',
    paramsLabel: 'part',
    operationId: 'downloadPart',
    tag: 'parts',
    summary: "One part's bytes: the key wraps for the caller's party, then the ciphertext the manifest hashes",
    access: 'member',
    params: PartParams,
    answer: {
      status: 200,
      description: 'the part, streamed',
      contentType: 'application/octet-stream',
      headers: {
        [WRAP_LENGTH_HEADER]: { description: 'how many leading bytes are extra key wraps, to strip before checking the signed hash', schema: z.string().regex(/^\d+$/) },
        [PART_SHA256_HEADER]: { description: 'the SHA-256 of the stored ciphertext, as the signed manifest gives it', schema: Sha256Hex },
      },
    },
    problems: ['not-found'],
    handle: async ({ hub, member, params, http }) => {
      const { res } = http;
      const part = await openPart(hub, member, params.id, params.partId);
      res.set({
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(part.wrap.length + part.size),
        [WRAP_LENGTH_HEADER]: String(part.wrap.length),
        [PART_SHA256_HEADER]: part.sha256,
      });
      res.write(part.wrap);
      part.stream.pipe(res);
      await new Promise<void>((resolve) => {
        part.stream.on('error', () => {
          res.destroy();
          resolve();
        });
        res.on('close', () => {
          part.stream.destroy();
          resolve();
        });
      });
      return ANSWERED;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/wraps',
    paramsLabel: 'packet id',
    operationId: 'addMemberWraps',
    tag: 'parts',
    summary: 'Key wraps that let one more member of a reading party read the packet (a newly cleared or rotated key)',
    access: 'member',
    params: PacketParams,
    body: RewrapBody,
    answer: { status: 201, description: 'the wraps were stored', schema: WrapsResult },
    problems: ['forbidden', 'not-found'],
    handle: ({ hub, member, params, body }) => addMemberWraps(hub, member, params.id, body),
  }),
];
