/**
 * The `liaison` command: the person's commands (client/) and the operator's (server/) in one
 * program. This entry point is the only module that imports both sides. Registering the commands
 * loads only commander, zod and the protocol: every heavy module (openpgp.js, pdf.js, mammoth,
 * franc, express, SQLite) is loaded by the command that uses it, so `--help` and `inbox` start
 * at once and the hub never loads the document readers.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { errorReporter } from '../client/cli/errors.ts';
import { ClientError } from '../client/core/errors.ts';
import { addClientCommands } from '../client/cli/commands.ts';
import { addHubCommands } from '../server/cli.ts';
import { addEvidenceCommands } from '../client/cli/evidence.ts';
import { addRequestCommands } from '../client/cli/requests.ts';
import { groupHelpByRole } from '../client/cli/help.ts';

// The operator's audit commands read the hub's store: its modules load only when they run. Their
// refusals (OperatorEvidenceError) are sentences, handed on as the client's typed error.
async function operatorEvidence<T>(run: (evidence: typeof import('../server/evidence.ts')) => Promise<T>): Promise<T> {
  const evidence = await import('../server/evidence.ts');
  try {
    return await run(evidence);
  } catch (error) {
    throw error instanceof evidence.OperatorEvidenceError ? new ClientError(error.message, { cause: error }) : error;
  }
}
const operatorAudit = {
  log: (dataDir: string) => operatorEvidence((e) => e.operatorAudit.log(dataDir)),
  exportTo: (dataDir: string, outPath: string, now: () => Date) => operatorEvidence((e) => e.operatorAudit.exportTo(dataDir, outPath, now)),
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('liaison')
  .description('Liaison: secure exchange of classified documents between agencies bound by cooperation agreements')
  .version(version, '-V, --version', 'print the version of liaison')
  // Usage errors in the same one-line form as every other error: "liaison: <sentence> (...)".
  .configureOutput({ outputError: (text, write) => write(`liaison: ${text.replace(/^error: /, '').trim()} (add --help to see what it takes)\n`) })
  .exitOverride();
addClientCommands(program);
addHubCommands(program);
addEvidenceCommands(program, operatorAudit);
addRequestCommands(program);
groupHelpByRole(program);
// The operator's commands (server/cli.ts) word their own errors; every other command's unexpected
// error becomes the generic sentence.
const reportError = errorReporter(program, ['hub', 'serve']);
// A reader that stops early (`liaison --help | head`) closes the pipe: stop quietly, as other
// command-line tools do, instead of an unhandled EPIPE with its stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has printed its own message (usage, --help, --version).
    process.exitCode = error.exitCode;
  } else {
    reportError(error);
    process.exitCode = 1;
  }
}
