/** Test helper: runs the real `latchkey` binary with `--json` and parses its one JSON document. */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/latchkey.js');

export interface Run {
  code: number;
  json: unknown;
  stderr: string;
}

export function latchkey(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--json', ...args], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      let json: unknown = undefined;
      const text = code === 0 ? stdout : stderr;
      try {
        json = JSON.parse(text.trim().split('\n').pop() ?? '');
      } catch {
        json = undefined;
      }
      resolve({ code, json, stderr });
    });
  });
}

export const errorCode = (run: Run): string => (run.json as { error: { code: string } }).error.code;

