/**
 * `latchkey generate`: a random password, or with `--words N` a passphrase, made on this machine
 * by the core generator (docs/protocol.md, "Password and passphrase generator"). It needs no
 * server and no sign-in. The secret goes to stdout alone so `$(latchkey generate)` captures it;
 * the entropy goes to stderr, or into the one JSON document with `--json`.
 */
import type { Command } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import { DEFAULT_PASSPHRASE_OPTIONS, generatePassphrase, passphraseEntropyBits, type PassphraseOptions } from '@latchkey/core/passphrase-generator';
import { DEFAULT_PASSWORD_OPTIONS, generatePassword, passwordEntropyBits, type PasswordOptions } from '@latchkey/core/password-generator';
import type { Cli } from '../cli-context.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

interface GenerateFlags {
  length?: string;
  lowercase: boolean;
  uppercase: boolean;
  digits: boolean;
  symbols: boolean;
  avoidLookAlikes?: boolean;
  words?: string;
  separator?: string;
  capitalize?: boolean;
  number?: boolean;
}

/** A whole number from a flag; anything else (`12abc`, `-3`, `1e3`) is `invalid_request`, not a silent parse. */
function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new LatchkeyError('invalid_request', `${flag} must be a whole number.`);
  return Number(value);
}

function passwordOptions(flags: GenerateFlags): PasswordOptions {
  return {
    length: flags.length === undefined ? DEFAULT_PASSWORD_OPTIONS.length : wholeNumber('--length', flags.length),
    lower: flags.lowercase,
    upper: flags.uppercase,
    digits: flags.digits,
    symbols: flags.symbols,
    avoidLookAlikes: flags.avoidLookAlikes === true,
  };
}

function passphraseOptions(flags: GenerateFlags, words: string): PassphraseOptions {
  const passwordOnly = flags.length !== undefined || !flags.lowercase || !flags.uppercase || !flags.digits || !flags.symbols || flags.avoidLookAlikes === true;
  if (passwordOnly)
    throw new LatchkeyError(
      'invalid_request',
      '--length, --no-… and --avoid-look-alikes are for passwords; a passphrase (--words) takes --separator, --capitalize and --number.',
    );
  return {
    words: wholeNumber('--words', words),
    separator: flags.separator ?? DEFAULT_PASSPHRASE_OPTIONS.separator,
    capitalize: flags.capitalize === true,
    number: flags.number === true,
  };
}

export function generateCommand(program: Command, run: Run): void {
  program
    .command('generate')
    .description('Print a random password, or a passphrase with --words N (made here; needs no server or sign-in)')
    .option('--length <n>', `password length, 1 to 1024 (default ${DEFAULT_PASSWORD_OPTIONS.length})`)
    .option('--no-lowercase', 'no lower-case letters')
    .option('--no-uppercase', 'no capital letters')
    .option('--no-digits', 'no digits')
    .option('--no-symbols', 'no symbols')
    .option('--avoid-look-alikes', 'leave out 0, O, 1, l and I')
    .option('--words <n>', 'a passphrase of N words from the EFF long word list, 1 to 64')
    .option('--separator <s>', `between passphrase words: 1 to 8 characters, no letters or digits (default "${DEFAULT_PASSPHRASE_OPTIONS.separator}")`)
    .option('--capitalize', 'capitalise every passphrase word')
    .option('--number', 'add one random digit to one passphrase word')
    .action((flags: GenerateFlags) =>
      run(async (cli) => {
        let result: { kind: 'password' | 'passphrase'; password: string; entropyBits: number };
        if (flags.words !== undefined) {
          const options = passphraseOptions(flags, flags.words);
          result = { kind: 'passphrase', password: generatePassphrase(options), entropyBits: passphraseEntropyBits(options) };
        } else {
          if (flags.separator !== undefined || flags.capitalize === true || flags.number === true) {
            throw new LatchkeyError('invalid_request', '--separator, --capitalize and --number are for passphrases; add --words N.');
          }
          const options = passwordOptions(flags);
          result = { kind: 'password', password: generatePassword(options), entropyBits: passwordEntropyBits(options) };
        }
        const entropyBits = Math.floor(result.entropyBits * 100) / 100;
        if (!cli.out.json) process.stderr.write(`${entropyBits} bits of entropy\n`);
        cli.out.result({ ...result, entropyBits }, () => result.password);
      }),
    );
}
