/**
 * `latchkey read REF`, `latchkey run -- CMD…` and `latchkey inject -i TEMPLATE [-o FILE]`:
 * secret references (`lk://vault/item/field`) resolved on this device, as `op` offers. The
 * resolved values go only where asked: stdout for `read`, the environment of CMD for `run`
 * (never this process's own, never a file), the output file (0600) for `inject`.
 */
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import { looksLikeSecretReference, parseSecretReference, templateReferences, fillTemplate } from '@latchkey/core/secret-reference';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { OutputMasker } from '../output-masker.ts';
import { ReferenceResolver } from '../reference-resolver.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `command` with `env`, masking `secrets` in its output unless `mask` is false; resolves to its exit status. */
function runMasked(command: string[], env: NodeJS.ProcessEnv, secrets: string[], mask: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['inherit', mask ? 'pipe' : 'inherit', mask ? 'pipe' : 'inherit'] });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const pipes: Promise<void>[] = [];
    if (mask) {
      for (const [from, to] of [
        [child.stdout!, process.stdout],
        [child.stderr!, process.stderr],
      ] as const) {
        const masker = new OutputMasker(secrets);
        pipes.push(
          new Promise<void>((done) => {
            from.on('data', (chunk: Buffer) => to.write(masker.push(chunk)));
            from.on('end', () => {
              to.write(masker.end());
              done();
            });
          }),
        );
      }
    }
    child.on('error', (error) =>
      reject(new LatchkeyError('invalid_request', `Could not start ${command[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}.`)),
    );
    child.on('close', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      void Promise.all(pipes).then(() => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
    });
  });
}

export function secretReferenceCommands(program: Command, run: Run): void {
  program
    .command('read')
    .description('Print one field of an item: latchkey read "lk://Vault/Item/password" (by name or id; username, password, notes, url, totp, title)')
    .argument('<reference>', 'lk://<vault>/<item>/<field>; a / inside a name is written %2F')
    .option('-n, --no-newline', 'no newline after the value')
    .action((text: string, opts: { newline: boolean }) =>
      run(async (cli) => {
        const reference = parseSecretReference(text);
        const value = await new ReferenceResolver(await unlockedClient(cli)).resolve(reference);
        if (cli.out.json) cli.out.result({ reference: text, value }, () => value);
        else process.stdout.write(opts.newline ? `${value}\n` : value);
      }),
    );

  program
    .command('run')
    .description('Run a command with the environment variables that hold lk:// references resolved, for that command only, masked in its output')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--no-masking', 'pass the output through unmasked')
    .action((command: string[], opts: { masking: boolean }) =>
      run(async (cli) => {
        const named = Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && looksLikeSecretReference(e[1]));
        const references = named.map(([name, value]) => ({ name, reference: parseSecretReference(value.trim()) }));
        const env: NodeJS.ProcessEnv = { ...process.env };
        const secrets: string[] = [];
        if (references.length > 0) {
          const values = await new ReferenceResolver(await unlockedClient(cli)).resolveAll(references.map((r) => r.reference));
          for (const { name, reference } of references) {
            const value = values.get(reference.text)!;
            env[name] = value;
            secrets.push(value);
          }
        }
        process.exitCode = await runMasked(command, env, secrets, opts.masking);
      }),
    );

  program
    .command('inject')
    .description('Fill {{ lk://… }} references in a template: from -i FILE (or stdin), to -o FILE (created 0600) or stdout')
    .option('-i, --in-file <template>', 'the template (default: stdin)')
    .option('-o, --out-file <file>', 'where to write the result (default: stdout)')
    .option('-f, --force', 'overwrite the output file if it exists')
    .action((opts: { inFile?: string; outFile?: string; force?: boolean }) =>
      run(async (cli) => {
        const template = opts.inFile !== undefined ? await readFile(opts.inFile, 'utf8') : await readStdin();
        const references = templateReferences(template);
        const values = references.length > 0 ? await new ReferenceResolver(await unlockedClient(cli)).resolveAll(references) : new Map<string, string>();
        const filled = fillTemplate(template, values);
        if (opts.outFile === undefined) {
          process.stdout.write(filled);
          return;
        }
        try {
          await writeFile(opts.outFile, filled, { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
          // An overwritten file keeps its mode; secrets in it should not stay readable by others.
          await chmod(opts.outFile, 0o600);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST')
            throw new LatchkeyError('already_exists', `${opts.outFile} exists; give --force to overwrite it.`);
          throw error;
        }
        cli.out.result({ file: opts.outFile, references: references.length }, () => `Wrote ${opts.outFile} (${references.length} reference(s) filled).`);
      }),
    );
}
