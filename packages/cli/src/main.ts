/** The `latchkey` command line: a thin layer over the SDK (its contract: README.md "CLI tour"; error codes as in docs/protocol.md §20). */
import { Command, CommanderError } from 'commander';
import { createCli, type GlobalOptions } from './cli-context.ts';
import { reportError } from './output.ts';
import { accountCommands } from './commands/account.ts';
import { vaultCommands } from './commands/vault.ts';
import { itemCommands } from './commands/item.ts';
import { trashCommands } from './commands/trash.ts';
import { healthCommand } from './commands/health.ts';
import { sessionCommands } from './commands/session.ts';
import { serverCommand } from './commands/server.ts';
import { storageCommands } from './commands/storage.ts';
import { recoveryCommands } from './commands/recovery.ts';
import { twoStepCommands } from './commands/two-step.ts';
import { generateCommand } from './commands/generate.ts';
import { unlockCommands } from './commands/unlock.ts';
import { secretReferenceCommands } from './commands/secret-references.ts';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';
import { forgetUnlockIfSessionEnded } from './session-token.ts';
import { orgCommands } from './commands/org.ts';
import { groupCommands } from './commands/group.ts';
import { deviceCommands } from './commands/device.ts';

const program = new Command();
program
  .name('latchkey')
  .description('Latchkey: an end-to-end encrypted password manager')
  .option('--json', 'print one JSON document (errors as {"error":{"code","message"}} on stderr)')
  .option('--config-dir <dir>', 'where this client keeps its device state (env LATCHKEY_CONFIG_DIR)')
  .enablePositionalOptions(false)
  .exitOverride()
  .configureOutput({ writeErr: () => {} });

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

async function run(action: (cli: ReturnType<typeof createCli>) => Promise<void>): Promise<void> {
  const options = globals();
  const cli = createCli(options);
  try {
    await action(cli);
  } catch (error) {
    await forgetUnlockIfSessionEnded(cli.store, error).catch(() => undefined);
    reportError(error, options.json === true);
    process.exitCode = 1;
  }
}

accountCommands(program, run);
vaultCommands(program, run);
itemCommands(program, run);
trashCommands(program, run);
healthCommand(program, run);
orgCommands(program, run);
groupCommands(program, run);
sessionCommands(program, run);
deviceCommands(program, run);
recoveryCommands(program, run);
twoStepCommands(program, run);
generateCommand(program, run);
unlockCommands(program, run);
secretReferenceCommands(program, run);
exportCommand(program, run);
importCommand(program, run);
serverCommand(program);
storageCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')) {
    process.exit(0);
  }
  reportError(error, process.argv.includes('--json'));
  process.exit(2);
}
