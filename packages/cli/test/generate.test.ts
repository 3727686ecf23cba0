/**
 * `latchkey generate` as a script drives it: no server and no sign-in (the device state directory
 * is never created), the secret alone on stdout and the entropy on stderr, or both in `--json`;
 * the flags shape the password or passphrase; bad input is `invalid_request` with exit code 1.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EFF_LONG_WORDLIST } from '@latchkey/core/eff-long-wordlist';
import { BIN, errorCode, latchkey } from './helpers/run-cli.ts';

interface Generated {
  kind: 'password' | 'passphrase';
  password: string;
  entropyBits: number;
}

let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-generate-'));
  // A config directory that must never come into being, and no server anywhere.
  env = { LATCHKEY_CONFIG_DIR: path.join(root, 'config'), HOME: root };
});
afterAll(() => rm(root, { recursive: true, force: true }));

const generate = async (args: string[]) => {
  const run = await latchkey(['generate', ...args], env);
  return { ...run, out: run.json as Generated };
};

describe('latchkey generate', () => {
  it('prints a 20-character password of all four classes by default, with its entropy, touching no device state', async () => {
    const run = await generate([]);
    expect(run.code).toBe(0);
    expect(run.out.kind).toBe('password');
    expect(run.out.password).toHaveLength(20);
    for (const chars of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(run.out.password).toMatch(chars);
    expect(run.out.entropyBits).toBeGreaterThan(126.3);
    expect(run.out.entropyBits).toBeLessThan(126.44);
    expect(await readdir(root)).toEqual([]);
  });

  it('gives only the secret on stdout and the entropy on stderr without --json', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        [BIN, 'generate', '--length', '32', '--no-symbols'],
        { env: { PATH: process.env.PATH ?? '', ...env } },
        (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })),
      ),
    );
    expect(stdout).toMatch(/^[A-Za-z0-9]{32}\n$/);
    expect(stderr).toMatch(/^\d+(\.\d+)? bits of entropy\n$/);
  });

  it('leaves out the classes and look-alikes it is told to', async () => {
    const digits = await generate(['--length', '12', '--no-lowercase', '--no-uppercase', '--no-symbols']);
    expect(digits.out.password).toMatch(/^[0-9]{12}$/);
    expect(digits.out.entropyBits).toBe(39.86); // 12 × log2(10), rounded down to hundredths
    const letters = await generate(['--length', '1024', '--no-digits', '--no-symbols', '--avoid-look-alikes']);
    expect(letters.out.password).toMatch(/^[A-Za-z]{1024}$/);
    expect(letters.out.password).not.toMatch(/[lI]/);
  });

  it('makes a passphrase of EFF words with --words, separator, capitals and a digit', async () => {
    const run = await generate(['--words', '5']);
    expect(run.out.kind).toBe('passphrase');
    expect(run.out.entropyBits).toBe(64.62); // 5 × log2(7776)
    const spaced = await generate(['--words', '7', '--separator', ' ']);
    const words = spaced.out.password.split(' ');
    expect(words).toHaveLength(7);
    for (const word of words) expect(EFF_LONG_WORDLIST).toContain(word);
    const shaped = await generate(['--words', '4', '--separator', '.', '--capitalize', '--number']);
    expect(shaped.out.password.split('.').every((word) => /^[A-Z][a-z-]*[0-9]?$/.test(word))).toBe(true);
    expect(shaped.out.password.match(/[0-9]/g)).toHaveLength(1);
    expect(shaped.out.entropyBits).toBe(Math.floor((4 * Math.log2(7776) + Math.log2(40)) * 100) / 100);
  });

  it('refuses bad input with invalid_request and exit code 1', { timeout: 120_000 }, async () => {
    const bad = [
      ['--length', '0'],
      ['--length', '1025'],
      ['--length', '12abc'],
      ['--no-lowercase', '--no-uppercase', '--no-digits', '--no-symbols'],
      ['--words', '0'],
      ['--words', '4', '--separator', 'and'],
      ['--words', '4', '--length', '20'],
      ['--separator', '-'],
    ];
    const runs = await Promise.all(bad.map(async (args) => ({ args, run: await generate(args) })));
    for (const { args, run } of runs) expect({ args, code: run.code, error: errorCode(run) }).toEqual({ args, code: 1, error: 'invalid_request' });
  });
});
