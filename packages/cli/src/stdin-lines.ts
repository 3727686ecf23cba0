/**
 * The lines of a piped stdin, read on demand, for secrets given as `-` (secret-input.ts). One
 * reader serves the whole run, so successive `-` flags get successive lines. The stream is
 * paused between reads, so a command that needs no more input can exit while the pipe is open.
 */
import { createInterface, type Interface } from 'node:readline';

interface Reader {
  readonly rl: Interface;
  readonly lines: string[];
  ended: boolean;
  wake: (() => void) | undefined;
}

let reader: Reader | undefined;

function open(): Reader {
  if (reader !== undefined) return reader;
  const rl = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
  const r: Reader = { rl, lines: [], ended: false, wake: undefined };
  const wake = () => {
    r.wake?.();
    r.wake = undefined;
  };
  rl.on('line', (line) => {
    r.lines.push(line);
    wake();
  });
  rl.on('close', () => {
    r.ended = true;
    wake();
  });
  reader = r;
  return r;
}

async function fill(r: Reader, enough: () => boolean): Promise<void> {
  while (!enough() && !r.ended) {
    const arrived = new Promise<void>((resolve) => (r.wake = resolve));
    r.rl.resume();
    await arrived;
  }
  if (!r.ended) r.rl.pause();
}

/** The next line of stdin (without its line ending), or undefined at its end. */
export async function nextStdinLine(): Promise<string | undefined> {
  const r = open();
  await fill(r, () => r.lines.length > 0);
  return r.lines.shift();
}

/** Every line left on stdin, up to its end. */
export async function restOfStdin(): Promise<string[]> {
  const r = open();
  await fill(r, () => false);
  return r.lines.splice(0);
}
