/**
 * `node test/helpers/killed-upload.ts <dir> <step> <n>`: one upload's durable write path on a
 * real SQLite file and blob store in `dir` (blob: temp file, fsync, rename, directory fsync; then
 * its row by group commit through the gate's durability barrier), killed with SIGKILL at `step`
 * (after-blob, in-commit, in-barrier; never: prints "replied"). For test/unit/durability-barrier.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { openFileBlobStore } from '../../storage/blobs.ts';
import { walDurability } from '../../storage/db.ts';
import { GroupCommit } from '../../storage/group-commit.ts';
import { SqliteGate } from '../../storage/sqlite/gate.ts';

const [dir, step, n] = process.argv.slice(2) as [string, 'after-blob' | 'in-commit' | 'in-barrier' | 'never', string];
const die = () => process.kill(process.pid, 'SIGKILL');
const db = new Database(`${dir}/db.sqlite`);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const wal = walDurability(db);
const gate = new SqliteGate(db, async () => {
  if (step === 'in-barrier') die();
  await wal.sync();
});
const blobs = await openFileBlobStore(dir);
const staged = await blobs.stage(Readable.from([randomBytes(65536)]));
const sha = staged.sha256;
await staged.commit();
if (step === 'after-blob') die();
await new GroupCommit(gate).run(() => {
  db.prepare('INSERT INTO rows (id, blob) VALUES (?, ?)').run(`row-${n}`, sha);
  if (step === 'in-commit') die();
});
process.stdout.write('replied');
