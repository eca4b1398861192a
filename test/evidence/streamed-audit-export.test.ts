/**
 * The audit log exported and verified as a stream (a million events in flat memory):
 * the compact Merkle range gives the same roots as the whole tree, the fast chain hash is the
 * canonical one, the operator's export writes nothing to the store and nothing at all for a log
 * that does not verify, and every edit of a streamed file (an event, its order, its length, the
 * checkpoint, a checkpoint the hub stored) is detected at its position, as for a file read whole.
 */
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lineBatches, verifyAuditExportFile } from '../../client/node/audit-file.ts';
import { compiledCheck } from '../../protocol/schema-check.ts';
import { AuditStreamVerifier, MerkleAccumulator, isStreamedAuditExport } from '../../protocol/audit-stream.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { AUDIT_GENESIS, Checkpoint, ProvenEvent, auditEventHash, merkleRoot, parseStatement, type SignedCheckpoint } from '../../protocol/evidence.ts';
import { readAuditLog, storedCheckpoints, verifyAuditChain } from '../../storage/audit.ts';
import { createApp } from '../../server/app.ts';
import { exportAuditLog } from '../../server/audit-export.ts';
import { login } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

const hashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`event ${i}`).digest('hex'));

describe('the arithmetic of a stream', () => {
  it('the compact range has the root of the whole tree at every size', () => {
    const all = hashes(300);
    const m = new MerkleAccumulator();
    expect(m.root()).toBe(merkleRoot([]));
    for (let n = 1; n <= all.length; n++) {
      m.push(all[n - 1]!);
      expect(m.root(), `size ${n}`).toBe(merkleRoot(all.slice(0, n)));
    }
  });

  it('refuses an event hash that is not 64 hex digits, rather than hashing stale bytes', () => {
    const m = new MerkleAccumulator();
    for (const bad of ['zz'.repeat(32), 'ab'.repeat(31), 'ab'.repeat(33)]) expect(() => m.push(bad)).toThrow(/64 hex digits/);
  });

  it('the chain hash is SHA-256 of the RFC 8785 form, for text in every script and odd characters', () => {
    const texts = ['Запрос', 'درخواست همکاری', '请求协助', '\u0000\u0007\u001f"\\', '\ud800 lone', 'emoji 🔐', '\u2028\u2029', ''];
    for (const [i, text] of texts.entries()) {
      const base = { seq: i + 1, at: text, actor: text, party: text, action: text, object: text, outcome: 'deny' as const, detail: text, prevHash: AUDIT_GENESIS };
      const expected = createHash('sha256').update(canonicalize(base)).digest('hex');
      expect(auditEventHash(base), JSON.stringify(text)).toBe(expected);
    }
  });

  it('reports the first break of the chain before any checkpoint it contradicts', () => {
    let prev = AUDIT_GENESIS;
    const events = Array.from({ length: 10 }, (_, i) => {
      const base = { seq: i + 1, at: `t${i}`, actor: 'a', party: 'RU', action: 'x', object: 'o', outcome: 'allow' as const, detail: '{}', prevHash: prev };
      prev = auditEventHash(base);
      return { ...base, hash: prev };
    });
    const wrong = { format: 'liaison-audit-checkpoint/1' as const, hub: 'A'.repeat(40), size: 3, root: '0'.repeat(64), head: events[2]!.hash, at: 'now' };
    const verifier = new AuditStreamVerifier([{ checkpoint: wrong, tag: 'w' }]);
    for (const e of events.map((e, i) => (i === 6 ? { ...e, actor: 'b' } : e))) verifier.push(e);
    expect(verifier.finish()).toMatchObject({ ok: false, kind: 'chain', position: 7 });
    const clean = new AuditStreamVerifier([{ checkpoint: wrong, tag: 'w' }]);
    for (const e of events) clean.push(e);
    expect(clean.finish()).toMatchObject({ ok: false, kind: 'rewritten', position: 3, tag: 'w' });
  });
});

describe('reading an export fast', () => {
  const event = { seq: 3, at: '2026-01-01T00:00:00.000Z', actor: 'A'.repeat(40), party: 'RU', action: 'part.download', object: 'packet:x', outcome: 'allow', detail: '{}', prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) };
  const line = { event, proof: [] as string[] };
  // Each is one way a line can differ from what ProvenEvent accepts.
  const wrong: Array<[string, unknown]> = [
    ['not an object', [line]],
    ['null', null],
    ['an extra key on the line', { ...line, extra: 1 }],
    ['no proof', { event }],
    ['an extra key in the event', { ...line, event: { ...event, note: 'x' } }],
    ['an inherited key only', { ...line, event: Object.assign(Object.create({ hash: event.hash }) as object, { ...event, hash: undefined }) }],
    ...(Object.keys(event) as Array<keyof typeof event>).map((key): [string, unknown] => {
      const { [key]: _, ...rest } = event;
      return [`no ${key}`, { ...line, event: rest }];
    }),
    ['a seq of 0', { ...line, event: { ...event, seq: 0 } }],
    ['a fractional seq', { ...line, event: { ...event, seq: 1.5 } }],
    ['an unsafe seq', { ...line, event: { ...event, seq: 2 ** 53 } }],
    ['a seq in quotes', { ...line, event: { ...event, seq: '3' } }],
    ['another outcome', { ...line, event: { ...event, outcome: 'maybe' } }],
    ['a number for a string', { ...line, event: { ...event, actor: 7 } }],
    ['an upper-case hash', { ...line, event: { ...event, hash: 'B'.repeat(64) } }],
    ['a short hash', { ...line, event: { ...event, hash: 'b'.repeat(63) } }],
    ['a long previous hash', { ...line, event: { ...event, prevHash: 'a'.repeat(65) } }],
    ['a non-hex previous hash', { ...line, event: { ...event, prevHash: `${'a'.repeat(63)}g` } }],
    ['a non-ASCII hash', { ...line, event: { ...event, hash: `${'b'.repeat(63)}é` } }],
    ['a proof step that is not a hash', { ...line, proof: ['xyz'] }],
    ['a proof too long', { ...line, proof: Array.from({ length: 65 }, () => 'c'.repeat(64)) }],
    ['a proof that is not an array', { ...line, proof: 'c'.repeat(64) }],
  ];

  it('compiles ProvenEvent from its JSON Schema, and passes only what zod passes', () => {
    const check = compiledCheck(ProvenEvent);
    expect(check).toBeTypeOf('function');
    expect(check!(line)).toBe(true);
    expect(check!({ ...line, proof: ['c'.repeat(64)] })).toBe(true);
    expect(ProvenEvent.safeParse(line).success).toBe(true);
    for (const [what, value] of wrong) {
      expect(ProvenEvent.safeParse(value).success, `zod: ${what}`).toBe(false);
      expect(check!(value), what).toBe(false);
    }
  });

  it('compiles nothing it does not understand, leaving the schema to zod', () => {
    expect(compiledCheck(z.union([z.string(), z.number()]))).toBeUndefined();
    expect(compiledCheck(z.object({ a: z.string() }))).toBeUndefined(); // other keys allowed
    expect(compiledCheck(z.strictObject({ a: z.string().optional() }))).toBeUndefined();
    expect(compiledCheck(z.strictObject({ a: z.string().transform((s) => s.length) }))).toBeUndefined();
    expect(compiledCheck(z.strictObject({ a: z.email() }))).toBeUndefined();
    // A refinement, at the top or deep inside, is a rule JSON Schema does not carry: left to zod.
    expect(compiledCheck(z.strictObject({ a: z.string() }).refine((v) => v.a === 'x'))).toBeUndefined();
    expect(compiledCheck(z.strictObject({ a: z.array(z.strictObject({ b: z.string().superRefine(() => undefined) })) }))).toBeUndefined();
    const other = compiledCheck(z.strictObject({ a: z.string().regex(/^x+$/), b: z.string().min(2).max(3) }))!;
    expect([other({ a: 'xx', b: 'abc' }), other({ a: 'xy', b: 'abc' }), other({ a: 'x', b: 'a' })]).toEqual([true, false, false]);
  });

  it('splits a file into its lines whatever the chunk size: long lines, CR LF, UTF-8 across a chunk boundary, no final newline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liaison-lines-'));
    try {
      const lines = ['{"head":"x"}', 'Запрос о помощи 请求协助 🔐', 'a'.repeat(100), '', 'b', 'درخواست'];
      const path = join(dir, 'lines.txt');
      for (const [ending, final] of [['\n', ''], ['\r\n', '\r\n'], ['\n', '\n']] as const) {
        writeFileSync(path, lines.join(ending) + final);
        for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) {
          const handle = await open(path, 'r');
          try {
            const read: string[] = [];
            for await (const batch of lineBatches(handle, () => new Error('too long'), chunk)) read.push(...batch);
            expect(read, `chunk ${chunk}, ending ${JSON.stringify(ending + final)}`).toEqual(lines);
          } finally {
            await handle.close();
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the operator's streamed export", () => {
  let world: World;
  let person: Person;
  let hubFingerprint: string;
  let file: string;
  let size: number;
  let count = 0;
  const fresh = () => join(world.dir, `export-${++count}.json`);
  const verify = (path: string) => verifyAuditExportFile(path, () => ({ pinnedHub: hubFingerprint, kept: [], now: world.clock.now() }));
  const lines = () => readFileSync(file, 'utf8').split('\n');
  const withLines = (change: (l: string[]) => string[]) => {
    const path = fresh();
    writeFileSync(path, change(lines()).join('\n'));
    return path;
  };

  beforeAll(async () => {
    world = await makeWorld();
    person = await makePerson('Ayesha Khan', 'PK');
    await world.enroll(person, ['contact'], 'SECRET');
    // Interval checkpoints every 7 events, so the export carries several the hub stored.
    const hub = await createApp({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', logFile: join(world.dir, 'hub.log'), checkpointEvery: 7 }, world.clock.now);
    const token = await login(hub.app, person, world.clock.now());
    for (let i = 0; i < 40; i++) await request(hub.app).get(`/v1/packets/${randomUUID()}`).set('Authorization', `Bearer ${token}`).expect(404);
    hubFingerprint = hub.hub.hubFingerprint;
    await hub.close();
    file = fresh();
    size = (await exportAuditLog(world.dataDir, file, world.clock.now)).events;
  });

  afterAll(() => world.cleanup());

  it('writes one event per line after a head line, verifies as a stream, and names the checkpoints the hub stored', async () => {
    const text = lines();
    expect(isStreamedAuditExport(text[0]!)).toBe(true);
    expect(text.length).toBe(size + 3);
    // Any JSON reader reads it whole as well.
    expect((JSON.parse(readFileSync(file, 'utf8')) as { events: unknown[] }).events).toHaveLength(size);
    const { check, events, scope } = await verify(file);
    expect(check).toMatchObject({ ok: true });
    expect({ events, scope }).toEqual({ events: size, scope: 'all' });
    expect(check.lines.join('\n')).toMatch(/agrees with the \d+ checkpoint\(s\) the hub stored/);
  });

  it('writes nothing to the store (no checkpoint, no receipt), and refuses a file that exists', async () => {
    const db = new Database(join(world.dataDir, 'hub.db'), { readonly: true });
    const before = db.prepare('SELECT count(*) AS n FROM checkpoints').get();
    await exportAuditLog(world.dataDir, fresh(), world.clock.now);
    expect(db.prepare('SELECT count(*) AS n FROM checkpoints').get()).toEqual(before);
    db.close();
    await expect(exportAuditLog(world.dataDir, file, world.clock.now)).rejects.toThrow(/already exists/);
  });

  it('refuses to export a log that does not verify, and leaves no file behind', async () => {
    const dir = join(world.dir, 'tampered');
    cpSync(world.dataDir, dir, { recursive: true });
    const db = new Database(join(dir, 'hub.db'));
    db.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'someone else' WHERE seq = 9");
    db.close();
    const out = join(world.dir, 'never.json');
    await expect(exportAuditLog(dir, out, world.clock.now)).rejects.toThrow(/does not verify at position 9/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(world.dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('the running hub extends its view of the log: a checkpoint after more events has the root of the whole log', async () => {
    const hub = await createApp({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', logFile: join(world.dir, 'hub.log'), checkpointEvery: 7 }, world.clock.now);
    try {
      const token = await login(hub.app, person, world.clock.now());
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 5; i++) await request(hub.app).get(`/v1/packets/${randomUUID()}`).set('Authorization', `Bearer ${token}`).expect(404);
        const signed = (await request(hub.app).post('/v1/audit/checkpoints').set('Authorization', `Bearer ${token}`).expect(201)).body as SignedCheckpoint;
        const c = parseStatement(Checkpoint, signed.statement)!;
        const all = await readAuditLog(hub.hub.store);
        expect(c.size).toBeLessThanOrEqual(all.length);
        expect(c.root).toBe(merkleRoot(all.slice(0, c.size).map((e) => e.hash)));
        expect(c.head).toBe(all[c.size - 1]!.hash);
      }
      // Every interval checkpoint stored while it ran holds against the whole log.
      const stored = (await storedCheckpoints(hub.hub.store)).map((x) => x.checkpoint!);
      expect(stored.length).toBeGreaterThan(5);
      expect(verifyAuditChain(await readAuditLog(hub.hub.store), stored)).toMatchObject({ ok: true });
    } finally {
      await hub.close();
    }
  });

  it('a hub whose log was edited signs no checkpoint over it', async () => {
    const dir = join(world.dir, 'tampered-hub');
    cpSync(world.dataDir, dir, { recursive: true });
    const db = new Database(join(dir, 'hub.db'));
    db.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'someone else' WHERE seq = 9");
    db.close();
    const hub = await createApp({ dataDir: dir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', logFile: join(world.dir, 'tampered.log') }, world.clock.now);
    try {
      const token = await login(hub.app, person, world.clock.now());
      const before = (await storedCheckpoints(hub.hub.store)).length;
      await request(hub.app).post('/v1/audit/checkpoints').set('Authorization', `Bearer ${token}`).expect(500);
      expect((await storedCheckpoints(hub.hub.store)).length).toBe(before);
    } finally {
      await hub.close();
    }
  });

  it('finds an edited event at its position', async () => {
    const path = withLines((l) => l.map((line, i) => (i === 6 ? line.replace('"party":"', '"party":"X') : line)));
    expect((await verify(path)).check).toMatchObject({ ok: false, position: 6 });
  });

  it('finds a deleted, a repeated and a swapped event', async () => {
    expect((await verify(withLines((l) => [...l.slice(0, 4), ...l.slice(5)]))).check).toMatchObject({ ok: false, position: 4 });
    expect((await verify(withLines((l) => [...l.slice(0, 5), l[4]!, ...l.slice(5)]))).check).toMatchObject({ ok: false, position: 5 });
    expect((await verify(withLines((l) => [...l.slice(0, 3), l[4]!, l[3]!, ...l.slice(5)]))).check).toMatchObject({ ok: false, position: 3 });
  });

  it('refuses an event line that is not an event, before or after the fast check, as a file read whole would', async () => {
    const edits: Array<[string, (line: string) => string]> = [
      ['an upper-case hash', (l) => l.replace(/"hash":"([0-9a-f]{64})"/, (_, h: string) => `"hash":"${h.toUpperCase()}"`)],
      ['an extra key', (l) => l.replace('"event":{', '"event":{"note":"x",')],
      ['a seq in quotes', (l) => l.replace(/"seq":(\d+)/, '"seq":"$1"')],
      ['a proof step that is not a hash', (l) => l.replace('"proof":[]', '"proof":["xyz"]')],
      ['not JSON', (l) => l.slice(0, -3)],
    ];
    for (const [what, edit] of edits) {
      const path = withLines((l) => l.map((line, i) => (i === 5 ? edit(line) : line)));
      expect(readFileSync(path, 'utf8'), what).not.toBe(readFileSync(file, 'utf8'));
      await expect(verify(path), what).rejects.toThrow(/not an exported audit log/);
    }
    // A broken chain before a bad line is the finding: the events are checked as they are read.
    const both = withLines((l) => l.map((line, i) => (i === 3 ? line.replace('"party":"', '"party":"X') : i === 8 ? 'not json' : line)));
    expect((await verify(both)).check).toMatchObject({ ok: false, position: 3 });
  });

  it('reads a file with CR LF line endings as the same export', async () => {
    const path = fresh();
    writeFileSync(path, readFileSync(file, 'utf8').replaceAll('\n', '\r\n'));
    const { check, events } = await verify(path);
    expect(check).toMatchObject({ ok: true });
    expect(events).toBe(size);
  });

  it('finds a truncated export, whether the tail is kept or cut off', async () => {
    // The last events dropped, the signed tail kept: the checkpoint covers more than the file holds.
    const short = await verify(withLines((l) => [...l.slice(0, l.length - 6), ...l.slice(l.length - 2)]));
    expect(short.check).toMatchObject({ ok: false, position: size - 3 });
    await expect(verify(withLines((l) => l.slice(0, l.length - 4)))).rejects.toThrow(/not an exported audit log/);
  });

  it('finds a checkpoint that is not over these events, and a forged one the hub is said to have stored', async () => {
    const tail = lines().at(-2)!;
    const checkpoint = (JSON.parse(`{${tail.slice(2)}`) as { checkpoint: SignedCheckpoint }).checkpoint;
    const forged = { ...checkpoint, statement: checkpoint.statement.replace(/"size":\d+/, '"size":3') };
    const stored = withLines((l) => [l[0]!.replace('"checkpoints":[', `"checkpoints":[${JSON.stringify(forged)},`), ...l.slice(1)]);
    const result = await verify(stored);
    expect(result.check).toMatchObject({ ok: false });
    if (!result.check.ok) expect(result.check.reason).toMatch(/checkpoint the hub stored is not valid/);
    const other = withLines((l) => [...l.slice(0, -2), `],${JSON.stringify({ checkpoint: forged }).slice(1)}`, '']);
    const swapped = await verify(other);
    expect(swapped.check).toMatchObject({ ok: false });
    if (!swapped.check.ok) expect(swapped.check.reason).toMatch(/signature does not verify/);
  });
});
