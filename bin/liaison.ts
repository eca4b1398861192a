/**
 * The `liaison` command: the person's commands (client/) and the operator's (server/) in one
 * program. This entry point is the only module that imports both sides.
 */
import { Command, CommanderError } from 'commander';
import { addClientCommands } from '../client/cli/commands.ts';
import { addHubCommands } from '../server/cli.ts';
import { addEvidenceCommands } from '../client/cli/evidence.ts';
import { addWorkflowCommands } from '../client/cli/workflow.ts';
import { operatorAudit } from '../server/evidence.ts';

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
