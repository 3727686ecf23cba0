/**
 * `latchkey device list | rename | remove`: the account's trusted devices (docs/protocol.md
 * §24.11), over the SDK's `client.devices`. Listing and renaming need the session only; removing
 * (deauthorizing: its sealed bundle is deleted and its sessions end) is a destructive account
 * change, so it re-authenticates first, as other such commands do.
 */
import type { Command } from 'commander';
import type { TrustedDevice } from '@latchkey/core/wire/passkeys';
import { unlockedClient, type Cli } from '../cli-context.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const line = (d: TrustedDevice) =>
  `${d.id}  ${d.name} (${d.platform})  added ${d.addedAt.slice(0, 10)}, last used ${d.lastUsedAt.slice(0, 10)}${d.current ? '  [this one]' : ''}`;

export function deviceCommands(program: Command, run: Run): void {
  const device = program.command('device').description('The trusted devices of a passkey account');

  device
    .command('list')
    .description("List the account's trusted devices")
    .action(() =>
      run(async (cli) => {
        const devices = await (await cli.client()).devices.list();
        cli.out.result(devices, () => devices.map(line).join('\n') || 'This account has no trusted devices.');
      }),
    );

  device
    .command('rename')
    .description('Give a trusted device another name')
    .argument('<id>', 'device id (from `latchkey device list`)')
    .argument('<name>', 'the new name, 1 to 100 characters')
    .action((id: string, name: string) =>
      run(async (cli) => {
        await (await cli.client()).devices.rename(id, name);
        cli.out.result({ id, name }, () => `Renamed ${id} to "${name}".`);
      }),
    );

  device
    .command('remove')
    .description('Deauthorize a trusted device: its passkey unlock stops working and its sessions end')
    .argument('<id>', 'device id (from `latchkey device list`)')
    .action((id: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        await client.devices.remove(id);
        cli.out.result({ id, removed: true }, () => `Removed ${id}: it can no longer unlock with the passkey, and its sessions were signed out.`);
      }),
    );
}
