/**
 * The CLI's transport (the core's Transport port) over node:http(s): JSON calls, and the
 * multipart POST of an upload with a known Content-Length, streamed from the encrypted temp
 * files, reporting progress as bytes leave. What is sent and how answers are read is
 * client/core/api.ts's. Not `fetch`: its first use loads undici, a fifth of a short command such
 * as `liaison inbox`. form-data and node:http(s) load only when first used.
 */
import type { IncomingMessage } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transport } from '../core/api.ts';

type NodeHttp = typeof import('node:http');
const httpFor = (target: URL) => process.getBuiltinModule(target.protocol === 'https:' ? 'node:https' : 'node:http') as NodeHttp;

function textOf(res: IncomingMessage): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });
}

export const nodeTransport: Transport = {
  exchange(method, url, headers, body) {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      const req = httpFor(target).request(target, { method, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
        textOf(res).then(resolve, reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  },

  async post(url, headers, fields, files, onProgress) {
    const { default: FormData } = await import('form-data');
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const f of files) {
      const body = Readable.fromWeb(f.body.stream() as import('node:stream/web').ReadableStream<Uint8Array>);
      form.append(f.partId, body, { knownLength: f.size, filename: `${f.partId}.pgp`, contentType: 'application/octet-stream' });
    }
    const total = await new Promise<number>((resolve, reject) => form.getLength((err, length) => (err ? reject(err) : resolve(length))));
    const target = new URL(url);
    let sent = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onProgress?.(sent, total);
        done(null, chunk);
      },
    });
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpFor(target).request(target, { method: 'POST', headers: { ...form.getHeaders(), 'Content-Length': String(total), ...headers } }, (res) => {
        textOf(res).then(resolve, reject);
      });
      // Handed to the core's HubClient.upload, which words a network failure by its code.
      req.on('error', reject);
      pipeline(form, meter, req).catch(() => undefined);
    });
  },
};
