/**
 * Benchmark accounts, made through the SDK's real sign-up flow (emailed code read from the
 * server's outbox, as a person would read their mail).
 *
 * Throughput users are registered with a deliberately cheap Argon2id (`BENCH_ONLY_KEY_STRETCHING`).
 * Key stretching runs only on the client: the server's OPAQUE messages, record size and work are
 * identical whatever the parameters, so this changes nothing the server does; it only keeps the
 * ~150 ms-per-sign-in client cost from starving the server of load on a 2-core machine. Real
 * users always get `KEY_STRETCHING` (see unlock.ts for its cost).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as opaque from '@serenity-kit/opaque';
import { LatchkeyClient } from '@latchkey/client/client';
import type { Fetch } from '@latchkey/client/http';
import { directKeyDerivation, type KeyDerivation } from '@latchkey/client/key-derivation';
import { MemoryStore } from '@latchkey/client/local-store';
import { extractCode, parseEml } from '@latchkey/server/testing';
import { sleep } from './util.ts';

export const BENCH_ONLY_KEY_STRETCHING = { 'argon2id-custom': { iterations: 1, memory: 8, parallelism: 1 } } as const;

export const cheapDerivation: KeyDerivation = {
  startLogin: (password) => directKeyDerivation.startLogin(password),
  startRegistration: (password) => directKeyDerivation.startRegistration(password),
  async finishLogin(params) {
    const result = opaque.client.finishLogin({ ...params, keyStretching: BENCH_ONLY_KEY_STRETCHING });
    return result === undefined ? undefined : { finishLoginRequest: result.finishLoginRequest, sessionKey: result.sessionKey, exportKey: result.exportKey };
  },
  async finishRegistration(params) {
    const result = opaque.client.finishRegistration({ ...params, keyStretching: BENCH_ONLY_KEY_STRETCHING });
    return { registrationRecord: result.registrationRecord, exportKey: result.exportKey };
  },
};

export interface BenchUser {
  readonly email: string;
  readonly password: string;
  readonly secretKey: string;
  /** The device id the user signed up from, so later sign-ins are from a known device. */
  readonly deviceId: string;
}

export const BENCH_DEVICE = { name: 'Latchkey bench', platform: 'bench' } as const;

/**
 * Reads one-time codes from `<dataDir>/outbox/*.eml`, each file once: sign-up verification codes
 * by default, or the emails whose subject holds `subjectIncludes` (e.g. recovery email codes),
 * with `extract` taking the code out of the body (e.g. the token of an invitation link).
 */
export class OutboxCodes {
  private readonly seen = new Set<string>();
  private readonly codes = new Map<string, string>();
  constructor(
    private readonly dataDir: string,
    private readonly subjectIncludes = 'verification code',
    private readonly extract: (text: string) => string = extractCode,
  ) {}

  async waitForCode(email: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.scan();
      const code = this.codes.get(email.toLowerCase());
      if (code !== undefined) {
        this.codes.delete(email.toLowerCase());
        return code;
      }
      if (Date.now() > deadline) throw new Error(`no "${this.subjectIncludes}" email for ${email} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  private async scan(): Promise<void> {
    const dir = path.join(this.dataDir, 'outbox');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.eml') || this.seen.has(name)) continue;
      this.seen.add(name);
      const mail = parseEml(await readFile(path.join(dir, name), 'utf8'));
      if (mail.subject.includes(this.subjectIncludes)) this.codes.set(mail.to.toLowerCase(), this.extract(mail.text));
    }
  }
}

export interface SignUpOptions {
  readonly server: string;
  readonly outbox: OutboxCodes;
  readonly label: string;
  readonly derivation?: KeyDerivation;
  readonly fetch?: Fetch;
}

/** One account through `client.signup.start` / `.complete`; returns the signed-in client too. */
export async function signUp(options: SignUpOptions, index: number): Promise<{ user: BenchUser; client: LatchkeyClient; store: MemoryStore }> {
  const email = `${options.label}-${index}-${Date.now().toString(36)}@bench.example`;
  const password = `bench-password-${index}-${Math.random().toString(36).slice(2)}`;
  const store = new MemoryStore();
  const client = new LatchkeyClient({
    server: options.server,
    store,
    device: BENCH_DEVICE,
    ...(options.derivation ? { derivation: options.derivation } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  await client.signup.start(email);
  const code = await options.outbox.waitForCode(email);
  const { secretKey } = await client.signup.complete({ email, name: `Bench User ${index}`, password, code });
  const deviceId = (await store.read()).deviceId;
  if (deviceId === undefined) throw new Error('the SDK remembered no device id after sign-up');
  return { user: { email, password, secretKey, deviceId }, client, store };
}
