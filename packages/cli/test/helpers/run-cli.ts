/** Test helper: runs the real `latchkey` binary with `--json` and parses its one JSON document. */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/latchkey.js');

export interface Run {
  code: number;
  json: unknown;
  stderr: string;
  /** How long the command ran, in ms. */
  ms: number;
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. Without it stdin stays open (a pipe, not a terminal), so a command that waits for input hangs until the timeout. */
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

export function latchkey(args: string[], env: Record<string, string> = {}, options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = execFile(
      process.execPath,
      [BIN, '--json', ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env }, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: unknown;
        const text = code === 0 ? stdout : stderr;
        try {
          json = JSON.parse(text.trim().split('\n').pop() ?? '');
        } catch {
          json = undefined;
        }
        resolve({ code, json, stderr, ms: performance.now() - started });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

export const errorCode = (run: Run): string => (run.json as { error: { code: string } }).error.code;
