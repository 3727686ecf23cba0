/**
 * Sealing and opening Latchkey export files (core/export-file.ts) in a Web Worker: the Argon2id
 * stretching of the file's password takes seconds in JavaScript, and on the page's thread it
 * would freeze the page. One worker per file, terminated when it answers, so the password and
 * the Argon2 memory do not linger. Errors come back as the `LatchkeyError` core threw.
 */
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';
import type { EncryptedExport, ExportContent } from '@latchkey/core/export-file';
import type { ExportFileRequest, ExportFileResponse } from './export-file.worker.ts';

function run(request: ExportFileRequest): Promise<unknown> {
  const worker = new Worker(new URL('./export-file.worker.ts', import.meta.url), { type: 'module', name: 'latchkey-export-file' });
  return new Promise<unknown>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ExportFileResponse>) => {
      const answer = event.data;
      if (answer.ok) resolve(answer.result);
      else if (answer.code !== undefined) reject(new LatchkeyError(answer.code as ErrorCode, answer.message ?? ''));
      else reject(new Error('The export file worker failed.'));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`The export file worker failed: ${event.message}`));
    };
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/** `sealExport` off the page's thread. */
export const sealExportInWorker = (content: ExportContent, password: string) => run({ op: 'seal', content, password }) as Promise<EncryptedExport>;

/** `openExport` off the page's thread. @throws `invalid_file` for a wrong password or a damaged file. */
export const openExportInWorker = (file: unknown, password: string) => run({ op: 'open', file, password }) as Promise<ExportContent>;
