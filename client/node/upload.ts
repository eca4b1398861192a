/**
 * The CLI's upload transport: a multipart POST over node:http(s) with a known Content-Length,
 * streamed from the encrypted temp files, reporting progress as bytes leave. The request itself
 * (fields, parts, answer parsing) is client/core/api.ts's. form-data and node:http(s) load only
 * when an upload starts: importing them costs start-up time every other command would pay.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Uploader } from '../core/api.ts';

export const nodeUploader: Uploader = {
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
    const transport = target.protocol === 'https:' ? (await import('node:https')).default : (await import('node:http')).default;
    let sent = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onProgress?.(sent, total);
        done(null, chunk);
      },
    });
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = transport.request(target, { method: 'POST', headers: { ...form.getHeaders(), 'Content-Length': String(total), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      // Handed to the core's HubClient.upload, which words a network failure by its code.
      req.on('error', reject);
      pipeline(form, meter, req).catch(() => undefined);
    });
  },
};
