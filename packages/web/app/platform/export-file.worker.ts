/**
 * The Web Worker behind `export-file-worker.ts`: seals or opens one Latchkey export file
 * (core/export-file.ts, Argon2id 64 MiB, t = 3, p = 4, in JavaScript: seconds), so the page
 * stays responsive meanwhile. Answers once and holds no state; the page terminates it after.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { openExport, sealExport, type ExportContent } from '@latchkey/core/export-file';

export type ExportFileRequest = { op: 'seal'; content: ExportContent; password: string } | { op: 'open'; file: unknown; password: string };

export type ExportFileResponse = { ok: true; result: unknown } | { ok: false; code?: string; message?: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<ExportFileRequest>) => void) | null; postMessage(message: ExportFileResponse): void };

scope.onmessage = async (event) => {
  const request = event.data;
  try {
    const result = request.op === 'seal' ? await sealExport(request.content, request.password) : await openExport(request.file, request.password);
    scope.postMessage({ ok: true, result });
  } catch (error) {
    // A LatchkeyError's message is written for people and never holds the password or the content.
    scope.postMessage(error instanceof LatchkeyError ? { ok: false, code: error.code, message: error.message } : { ok: false });
  }
};
