/**
 * Test helper: runs the real `latchkey` binary on a pseudo-terminal (util-linux `script`), so
 * it sees a terminal as a person's shell would give it: prompts appear, echo is off for secrets.
 * The test waits for each prompt and types the answer; `transcript` is what the screen showed,
 * in order, without terminal control sequences (hidden answers never appear in it).
 *
 *   const term = latchkeyOnTerminal(['recover', '--server', url, '--email', email]);
 *   await term.waitFor('Recovery code:');
 *   term.type(code);
 *   expect(await term.exited).toBe(0);
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { BIN } from './run-cli.ts';

export interface Terminal {
  /** Waits until `text` is on the screen after everything waited for so far; returns the screen up to the end of it. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  /** Types `line` and Enter. */
  type(line: string): void;
  /** The exit code, once the command ended. */
  readonly exited: Promise<number>;
  /** Everything shown so far. */
  transcript(): string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// CSI sequences (cursor moves, line clears) and carriage returns: what readline draws with.
// biome-ignore lint/suspicious/noControlCharactersInRegex: it strips the terminal's escape sequences on purpose.
const controls = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

export function latchkeyOnTerminal(args: readonly string[], env: Record<string, string> = {}): Terminal {
  const command = `stty cols 200 rows 50; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`;
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let waitedUpTo = 0;
  let changed: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    changed?.();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  let done = false;
  void exited.then(() => {
    done = true;
    child.stdin.end();
    changed?.();
  });
  const screen = () => raw.replace(controls, '');

  return {
    exited,
    transcript: screen,
    type(line) {
      child.stdin.write(`${line}\r`);
    },
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const shown = screen();
        const at = shown.indexOf(text, waitedUpTo);
        if (at >= 0) {
          waitedUpTo = at + text.length;
          return shown.slice(0, waitedUpTo);
        }
        if (done || Date.now() > deadline)
          throw new Error(`"${text}" did not appear on the terminal${done ? ' (the command ended)' : ''}. Screen so far:\n${shown}`);
        await new Promise<void>((resolve) => {
          changed = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
  };
}
