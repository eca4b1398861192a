/**
 * The `liaison` command: the person's commands (client/) and the operator's (server/) in one
 * program. This entry point is the only module that imports both sides. Registering the commands
 * loads only commander, zod and the protocol: every heavy module (openpgp.js, pdf.js, mammoth,
 * franc, express, SQLite) is loaded by the command that uses it, so `--help` and `inbox` start
 * at once and the hub never loads the document readers.
 */
import { Command, CommanderError } from 'commander';
import { addClientCommands } from '../client/cli/commands.ts';
import { addHubCommands } from '../server/cli.ts';
import { addEvidenceCommands } from '../client/cli/evidence.ts';
import { addWorkflowCommands } from '../client/cli/workflow.ts';

// The operator's audit commands read the hub's store: its modules load only when they run.
const operatorAudit = {
  log: async (dataDir: string) => (await import('../server/evidence.ts')).operatorAudit.log(dataDir),
  export: async (dataDir: string, now: () => Date) => (await import('../server/evidence.ts')).operatorAudit.export(dataDir, now),
};

const program = new Command('liaison')
  .description('Liaison: secure exchange of classified documents between agencies bound by cooperation agreements')
  .showHelpAfterError('(liaison --help lists the commands)')
  .exitOverride();
addClientCommands(program);
addHubCommands(program);
addEvidenceCommands(program, operatorAudit);
addWorkflowCommands(program);

function oneSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.replace(/^Error: /, '');
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has printed its own message (usage, --help, --version).
    process.exitCode = error.exitCode;
  } else {
    if (process.env.LIAISON_DEBUG) console.error(error);
    console.error(`liaison: ${oneSentence(error)}`);
    process.exitCode = 1;
  }
}
