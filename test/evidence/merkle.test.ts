/**
 * The arithmetic of the audit log: the chain hash both sides compute, and the RFC 9162 Merkle
 * tree with its inclusion and consistency proofs, checked against recomputation for many sizes.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS,
  auditEventHash,
  consistencyProof,
  inclusionProof,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
  type AuditEvent,
} from '../../protocol/evidence.ts';
import { AuditStreamVerifier } from '../../protocol/audit-stream.ts';
import { AUDIT_GENESIS as STORE_GENESIS, auditEventHash as storeEventHash } from '../../protocol/evidence.ts';

const hashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`event ${i}`).digest('hex'));

function chain(n: number): AuditEvent[] {
  const out: AuditEvent[] = [];
  let prev = AUDIT_GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const base = { seq, at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(), actor: 'A'.repeat(40), party: 'RU', action: 'auth.login', object: `объект ${seq} 对象`, outcome: 'allow' as const, detail: `{"n":${seq},"note":"\\u0007"}`, prevHash: prev };
    prev = auditEventHash(base);
    out.push({ ...base, hash: prev });
  }
  return out;
}

/** The verdict of the one chain walk (protocol/audit-stream.ts) over a whole log. */
function verifyChain(events: readonly AuditEvent[]) {
  const verifier = new AuditStreamVerifier();
  for (const e of events) verifier.push(e);
  return verifier.finish();
}

describe('the chain hash', () => {
  it('is the one the store appends with', () => {
    expect(AUDIT_GENESIS).toBe(STORE_GENESIS);
    for (const e of chain(5)) expect(storeEventHash(e)).toBe(e.hash);
  });

  it('verifies an intact chain and names the first bad position otherwise', () => {
    const events = chain(12);
    expect(verifyChain(events)).toMatchObject({ ok: true, size: 12, head: events[11]!.hash });
    expect(verifyChain(events.filter((e) => e.seq !== 4))).toMatchObject({ ok: false, position: 4 });
    expect(verifyChain(events.map((e) => (e.seq === 7 ? { ...e, object: 'other' } : e)))).toMatchObject({ ok: false, position: 7 });
    expect(verifyChain([...events.slice(0, 2), events[3]!, events[2]!, ...events.slice(4)])).toMatchObject({ ok: false, position: 3 });
  });
});

describe('the Merkle tree (RFC 9162)', () => {
  it('has the RFC hash of one leaf and of an empty tree', () => {
    const [h] = hashes(1);
    expect(merkleRoot([h!])).toBe(createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(h!, 'hex')])).digest('hex'));
    expect(merkleRoot([])).toBe(createHash('sha256').digest('hex'));
  });

  it('proves every leaf of every tree up to 40 leaves, and no other', () => {
    const all = hashes(40);
    for (let size = 1; size <= 40; size++) {
      const root = merkleRoot(all, size);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(all, i, size);
        expect(verifyInclusion(all[i]!, i, size, proof, root)).toBe(true);
        expect(verifyInclusion(all[i]!, (i + 1) % size, size, proof, root) && size > 1).toBe(false);
        expect(verifyInclusion(all[(i + 1) % 40]!, i, size, proof, root)).toBe(false);
      }
    }
  });

  it('proves that each smaller tree is a prefix of a larger one, and rejects a changed prefix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 69 }), (from, extra, changed) => {
        const to = from + extra;
        const all = hashes(to);
        const proof = consistencyProof(all, from, to);
        expect(verifyConsistency(from, to, merkleRoot(all, from), merkleRoot(all, to), proof)).toBe(true);
        const other = [...all];
        other[changed % to] = createHash('sha256').update('forged').digest('hex');
        if (changed % to < from) expect(verifyConsistency(from, to, merkleRoot(other, from), merkleRoot(all, to), proof)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
