/**
 * Builds the SDK client a command needs from the global options (`--json`, `--config-dir`,
 * `--server`), locked, or unlocked with the account password for commands that read keys.
 */
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { LatchkeyClient } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { FileStore } from './file-store.ts';
import { createOutput, type Output } from './output.ts';
import { currentPassword } from './prompt.ts';
import { sessionToken } from './session-token.ts';

export interface GlobalOptions {
  json?: boolean;
  configDir?: string;
}

export interface Cli {
  readonly out: Output;
  readonly store: FileStore;
  /** A client for `server`, or for the server of the remembered session. */
  client(server?: string): Promise<LatchkeyClient>;
}

export function configDir(options: GlobalOptions): string {
  const configured = options.configDir ?? process.env.LATCHKEY_CONFIG_DIR;
  if (configured) return resolve(configured);
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'latchkey');
}

export function createCli(options: GlobalOptions): Cli {
  const store = new FileStore(configDir(options));
  return {
    out: createOutput(options.json === true),
    store,
    async client(server?: string) {
      const target = server ?? (await store.read()).session?.server;
      if (target === undefined)
        throw new LatchkeyError('not_signed_in', 'Not signed in on this device. Run `latchkey signin --server URL --email EMAIL` first.');
      if (!/^https?:\/\//.test(target)) throw new LatchkeyError('invalid_request', 'The server must be an http:// or https:// URL.');
      return new LatchkeyClient({ server: target, store, device: { name: `latchkey CLI on ${hostname()}`, platform: `${process.platform}-${process.arch}` } });
    },
  };
}

/**
 * The client of the remembered session, unlocked: with `LATCHKEY_SESSION` set, by the unlocked
 * session it names (no password, no re-authentication; a wrong or ended token is an error, never
 * a fall-back to the password); otherwise with the account password (`LATCHKEY_PASSWORD` or a
 * prompt), one re-authentication per command. Every command that reads or writes keys starts here.
 */
export async function unlockedClient(cli: Cli): Promise<LatchkeyClient> {
  const client = await cli.client();
  const token = sessionToken();
  if (token !== undefined) await client.unlockedSession.resume(token);
  else await client.unlock(await currentPassword());
  return client;
}
