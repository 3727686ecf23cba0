/** `latchkey vault list | create NAME`. Every command that reads keys unlocks with the account password first. */
import type { Command } from 'commander';
import { unlockedClient, type Cli } from '../cli-context.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

export function vaultCommands(program: Command, run: Run): void {
  const vault = program.command('vault').description('List and create vaults');
  vault
    .command('list')
    .description('List the vaults you can read')
    .action(() =>
      run(async (cli) => {
        const vaults = await (await unlockedClient(cli)).vaults.list();
        cli.out.result(
          vaults.map((v) => ({ id: v.id, name: v.name, kind: v.kind })),
          () => vaults.map((v) => `${v.id}  ${v.name}`).join('\n'),
        );
      }),
    );
  vault
    .command('create')
    .description('Create a vault')
    .argument('<name>', 'the vault name')
    .action((name: string) =>
      run(async (cli) => {
        const created = await (await unlockedClient(cli)).vaults.create(name);
        cli.out.result({ id: created.id, name: created.name }, () => `Created vault "${created.name}" (${created.id}).`);
      }),
    );
}
