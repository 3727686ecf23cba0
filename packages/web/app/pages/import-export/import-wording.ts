/** Words for the Import and Export pages: the formats' names, and failures worded for a file. */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ImportFormat } from '@latchkey/core/import-file';
import { describeError } from '../../errors.ts';

export const FORMAT_NAMES: Record<ImportFormat, string> = {
  latchkey: 'Latchkey export (encrypted)',
  'latchkey-json': 'Latchkey export (JSON, not encrypted)',
  'bitwarden-json': 'Bitwarden (JSON, unencrypted export)',
  csv: 'CSV (Chrome, Firefox, Bitwarden or Latchkey)',
  '1password-1pux': '1Password (.1pux)',
  '1password-csv': '1Password (CSV)',
  'keepass-xml': 'KeePass 2 (XML)',
};

/**
 * A file that cannot be read (`invalid_file`: core's message says why, for people, and never
 * holds the file's content), or an import the server refused: always saying nothing was imported.
 */
export function describeImportError(error: unknown): string {
  if (error instanceof LatchkeyError && (error.code === 'invalid_file' || error.code === 'forbidden')) {
    return /Nothing was imported/.test(error.message) ? error.message : `${error.message} Nothing was imported.`;
  }
  return `${describeError(error)} Nothing was imported.`;
}
