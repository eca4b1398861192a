/**
 * `liaison label verify DIR`: check a fetched folder's label and files against the packet's
 * signed manifest. Prints what holds, or each problem in a sentence and exits 1.
 * The checks are the core's (client/core/opening.ts) and the stamper's (client/node/stamped.ts);
 * this command only names the folder and prints.
 */
import type { Command } from 'commander';
import { context } from './context.ts';

export function addLabelCommands(program: Command): void {
  const label = program.command('label').description('the confidentiality label of a fetched folder');
  label
    .command('verify')
    .description('check the label and every file it covers against the signed manifest')
    .argument('<dir>', 'a folder written by liaison fetch')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const { ctx } = await context({ quiet: true });
      const [{ verifyFolderLabel }, { verifiedManifest }] = await Promise.all([import('../node/stamped.ts'), import('../core/opening.ts')]);
      const result = await verifyFolderLabel(ctx, dir, verifiedManifest);
      if (opts.json) console.log(JSON.stringify({ packetId: result.packetId, checkedFiles: result.checkedFiles, problems: result.problems }, null, 2));
      else if (result.problems.length === 0) {
        const m = result.manifest!;
        console.log(`The label of packet ${m.packetId} holds: ${m.marking.level} under ${m.agreementId}, signed by ${m.sender.party}; ${result.checkedFiles} files match it.`);
      } else {
        for (const problem of result.problems) console.error(problem);
      }
      if (result.problems.length > 0) process.exitCode = 1;
    });
}
