/**
 * OPAQUE with the two-secret input: registration and login through `opaqueClient` and
 * `opaqueServer`. Every client finish costs one Argon2id (64 MiB, ~150 ms), so this file runs
 * one registration and four logins in total.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveAccountUnlockKey, deriveSessionToken } from '../src/account-unlock-key.ts';
import { fromBase64Url } from '../src/bytes.ts';
import { KEY_STRETCHING, KEY_STRETCHING_PARAMETERS, opaqueClient, opaqueReady, opaqueServer, twoSecretPasswordInput } from '../src/opaque.ts';
import { generateSecretKey, type SecretKey } from '../src/secret-key.ts';

const password = 'correct horse battery staple';
const userIdentifier = '2d3c4b5a-6978-4a1b-8c2d-3e4f5a6b7c8d';

let serverSetup: string;
let secretKey: SecretKey;
let registrationRecord: string;
let registrationExportKey: string;

function login(input: string, record: string | null = registrationRecord) {
  const { clientLoginState, startLoginRequest } = opaqueClient.startLogin(input);
  const { serverLoginState, loginResponse } = opaqueServer.startLogin({ serverSetup, registrationRecord: record, startLoginRequest, userIdentifier });
  const client = opaqueClient.finishLogin({ clientLoginState, loginResponse, password: input });
  return { client, serverLoginState };
}

beforeAll(async () => {
  await opaqueReady;
  serverSetup = opaqueServer.createSetup();
  secretKey = generateSecretKey();
  const input = twoSecretPasswordInput(password, secretKey);
  const { clientRegistrationState, registrationRequest } = opaqueClient.startRegistration(input);
  const registrationResponse = opaqueServer.createRegistrationResponse({ serverSetup, userIdentifier, registrationRequest });
  const finished = opaqueClient.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  registrationRecord = finished.registrationRecord;
  registrationExportKey = finished.exportKey;
}, 30_000);

describe('OPAQUE registration and login', () => {
  it('states key stretching at or above OWASP minimums (Argon2id m ≥ 19 MiB, t ≥ 2)', () => {
    expect(KEY_STRETCHING).toBe('memory-constrained');
    expect(KEY_STRETCHING_PARAMETERS.algorithm).toBe('argon2id');
    expect(KEY_STRETCHING_PARAMETERS.memoryKiB).toBeGreaterThanOrEqual(19 * 1024);
    expect(KEY_STRETCHING_PARAMETERS.iterations).toBeGreaterThanOrEqual(2);
  });

  it('with the right password and Secret Key: session keys, session tokens and the AUK agree', { timeout: 30_000 }, () => {
    const { client, serverLoginState } = login(twoSecretPasswordInput(password, secretKey));
    expect(client).toBeDefined();
    const serverSessionKey = opaqueServer.finishLogin({ serverLoginState, finishLoginRequest: client!.finishLoginRequest });
    expect(serverSessionKey).toBe(client!.sessionKey);
    expect(fromBase64Url(client!.sessionKey).length).toBeGreaterThanOrEqual(32);
    expect(deriveSessionToken(serverSessionKey)).toBe(deriveSessionToken(client!.sessionKey));
    expect(deriveSessionToken(client!.sessionKey)).not.toBe(client!.sessionKey);

    expect(client!.exportKey).toBe(registrationExportKey);
    const auk = deriveAccountUnlockKey(client!.exportKey);
    expect(auk).toHaveLength(32);
    expect(auk).toEqual(deriveAccountUnlockKey(registrationExportKey));
    // The AUK and the export key are different values, and the AUK is not derivable from the session.
    expect(auk).not.toEqual(fromBase64Url(registrationExportKey).subarray(0, 32));
    expect(deriveSessionToken(client!.sessionKey)).not.toBe(Buffer.from(auk).toString('base64url'));

    // The server refuses a finish request replayed into another login's state.
    const { serverLoginState: otherState } = opaqueServer.startLogin({
      serverSetup,
      registrationRecord,
      startLoginRequest: opaqueClient.startLogin(twoSecretPasswordInput(password, secretKey)).startLoginRequest,
      userIdentifier,
    });
    expect(() => opaqueServer.finishLogin({ serverLoginState: otherState, finishLoginRequest: client!.finishLoginRequest })).toThrow();
  });

  it('with a wrong password, finishLogin returns undefined', { timeout: 30_000 }, () => {
    expect(login(twoSecretPasswordInput(`${password}!`, secretKey)).client).toBeUndefined();
  });

  it('with the right password but a wrong Secret Key, finishLogin returns undefined', { timeout: 30_000 }, () => {
    const otherKey = generateSecretKey(secretKey.split('-')[1]);
    expect(login(twoSecretPasswordInput(password, otherKey)).client).toBeUndefined();
  });

  it('for an unknown user the server still answers, and the client cannot finish', { timeout: 30_000 }, () => {
    const { client } = login(twoSecretPasswordInput(password, secretKey), null);
    expect(client).toBeUndefined();
  });
});

describe('twoSecretPasswordInput', () => {
  it('contains both secrets, with the length of the password', () => {
    const key = generateSecretKey();
    const input = twoSecretPasswordInput('pässword', key);
    expect(input).toContain(key);
    expect(input).toContain('pässword');
    expect(input.startsWith('latchkey/v1/2skd\u0000')).toBe(true);
  });

  it('is injective on tricky pairs', () => {
    const k1 = generateSecretKey('ABCDEF');
    const k2 = generateSecretKey('ABCDEF');
    const passwords = [
      '',
      'a',
      'a\u0000',
      '\u0000a',
      '\u0000',
      'pass\u0000word',
      '1\u0000a',
      `1\u0000${k1}`,
      k1,
      k2,
      `${k1}\u00001\u0000a`,
      `${k2}\u00000\u0000`,
      `\u0000${k2}\u00001\u0000a`,
      '10',
      '1\u00000',
      'latchkey/v1/2skd',
      ' a',
      'a ',
    ];
    const seen = new Map<string, string>();
    for (const key of [k1, k2]) {
      for (const pw of passwords) {
        const input = twoSecretPasswordInput(pw, key);
        const pair = JSON.stringify([pw, key]);
        expect(seen.get(input), `${pair} collides with ${seen.get(input)}`).toBeUndefined();
        seen.set(input, pair);
      }
    }
    expect(seen.size).toBe(2 * passwords.length);
  });

  it('normalizes the password with NFKC, so equivalent spellings unlock the same account', () => {
    const key = generateSecretKey();
    expect(twoSecretPasswordInput('caf\u00e9', key)).toBe(twoSecretPasswordInput('cafe\u0301', key));
    expect(twoSecretPasswordInput('\ufb01', key)).toBe(twoSecretPasswordInput('fi', key));
    expect(twoSecretPasswordInput('Password', key)).not.toBe(twoSecretPasswordInput('password', key));
  });
});
