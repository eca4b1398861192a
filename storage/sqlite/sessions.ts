/**
 * Login challenges and sessions in SQLite, stored only as SHA-256 hashes of the challenge text
 * and of the token.
 * A token or challenge in clear is never written.
 */
import type { SessionRepository } from '../repositories.ts';
import { CommittedReads, type SqliteGate } from './gate.ts';
import type { Row } from './mappers.ts';

export class SqliteSessions implements SessionRepository {
  private readonly gate: SqliteGate;
  private readonly byToken: CommittedReads<{ fingerprint: string; createdAt: string; lastUsedAt: string; expiresAt: string } | undefined>;

  constructor(gate: SqliteGate) {
    this.gate = gate;
    this.byToken = new CommittedReads(gate);
  }

  private get db() {
    return this.gate.db;
  }

  putChallenge(challengeHash: string, fingerprint: string, expiresAt: string, keep: number) {
    return this.gate.use(() => {
      this.db.prepare('INSERT INTO challenges (challenge_hash, fingerprint, expires_at) VALUES (?, ?, ?)').run(challengeHash, fingerprint, expiresAt);
      this.db
        .prepare('DELETE FROM challenges WHERE fingerprint = ? AND rowid NOT IN (SELECT rowid FROM challenges WHERE fingerprint = ? ORDER BY rowid DESC LIMIT ?)')
        .run(fingerprint, fingerprint, keep);
    });
  }

  challengeCount() {
    return this.gate.use(() => (this.db.prepare('SELECT COUNT(*) AS n FROM challenges').get() as Row).n as number);
  }

  takeChallenge(challengeHash: string) {
    return this.gate.use(() => {
      const row = this.db.prepare('DELETE FROM challenges WHERE challenge_hash = ? RETURNING fingerprint, expires_at').get(challengeHash) as Row | undefined;
      return row ? { fingerprint: row.fingerprint as string, expiresAt: row.expires_at as string } : undefined;
    });
  }

  purgeExpired(now: string) {
    return this.gate.use(() => {
      this.db.prepare('DELETE FROM challenges WHERE expires_at <= ?').run(now);
      this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    });
  }

  create(tokenHash: string, fingerprint: string, now: string, expiresAt: string) {
    return this.gate.use(() => {
      this.db.prepare('INSERT INTO sessions (token_hash, fingerprint, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(tokenHash, fingerprint, now, now, expiresAt);
    });
  }

  /** Read by every authenticated request: kept until any write (gate.ts CommittedReads), so a logout or a purge counts from the next request. */
  get(tokenHash: string) {
    return this.gate.use(() =>
      this.byToken.read(tokenHash, () => {
        const row = this.db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(tokenHash) as Row | undefined;
        return row
          ? { fingerprint: row.fingerprint as string, createdAt: row.created_at as string, lastUsedAt: row.last_used_at as string, expiresAt: row.expires_at as string }
          : undefined;
      }),
    );
  }

  touch(tokenHash: string, now: string) {
    return this.gate.use(() => {
      this.db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?').run(now, tokenHash);
    });
  }

  delete(tokenHash: string) {
    return this.gate.use(() => {
      this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
    });
  }
}
