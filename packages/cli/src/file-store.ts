/**
 * The CLI's local state (device id, session, remembered Secret Keys) in `<config-dir>/state.json`.
 * The directory is 0700 and the file 0600, written atomically (temp file + rename) so a crash
 * never leaves half a file. Node has no portable OS keychain, so on this platform the Secret
 * Key is protected by file permissions only; docs/threat-model.md says what that means.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LocalState, LocalStore } from '@latchkey/client/local-store';

export class FileStore implements LocalStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  private get file(): string {
    return join(this.dir, 'state.json');
  }

  async read(): Promise<LocalState> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as LocalState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  async write(state: LocalState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.state.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
