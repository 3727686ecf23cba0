/**
 * The CLI's output contract: with `--json`, exactly one JSON document on stdout, or on failure
 * `{"error":{"code","message"}}` on stderr and a non-zero exit; without it, text for people.
 */
import { LatchkeyError } from '@latchkey/core/errors';

export interface Output {
  readonly json: boolean;
  result(value: unknown, human: () => string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
    },
  };
}

export function toCliError(error: unknown): { code: string; message: string } {
  if (error instanceof LatchkeyError) return { code: error.code, message: error.message };
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('commander.')) {
    return { code: 'invalid_request', message: error.message.replace(/^error: /, '') };
  }
  if (error instanceof Error && (error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).syscall !== undefined) {
    return { code: 'io_error', message: error.message };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

export function reportError(error: unknown, json: boolean): void {
  const e = toCliError(error);
  process.stderr.write(json ? `${JSON.stringify({ error: e })}\n` : `Error: ${e.message} (${e.code})\n`);
}
