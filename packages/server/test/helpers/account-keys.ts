/**
 * Test helper: recovers, the way a legitimate client does (OPAQUE with password + Secret Key),
 * every key of an account: export key, Account Unlock Key, keyset and vault keys. Invariant
 * tests then search the database and logs for each of them in every common encoding.
 */
import { deriveAccountUnlockKey, deriveSessionToken } from '@latchkey/core/account-unlock-key';
import { bytesToHex, fromBase64Url, toBase64Url } from '@latchkey/core/bytes';
import { decryptKeyset, keysetRecipient, keysetTrustedSigner, type Keyset } from '@latchkey/core/keyset';
import { opaqueClient, opaqueReady, twoSecretPasswordInput } from '@latchkey/core/opaque';
import { parseSecretKey, secretKeyVerifier } from '@latchkey/core/secret-key';
import { unwrapVaultKey } from '@latchkey/core/vault-key';
import type { LoginFinishResponse, LoginStartResponse } from '@latchkey/core/wire/auth';
import type { VaultList } from '@latchkey/core/wire/vaults';

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A raw OPAQUE sign-in as the owner's client does it: what it derives, and the opened keyset. */
async function signInAsOwner(server: string, email: string, password: string, secretKeyText: string, deviceId: string) {
  await opaqueReady;
  const secretKey = parseSecretKey(secretKeyText);
  const input = twoSecretPasswordInput(password, secretKey);
  const { clientLoginState, startLoginRequest } = opaqueClient.startLogin(input);
  const start = await post<LoginStartResponse>(`${server}/api/auth/login/start`, { email, secretKeyVerifier: secretKeyVerifier(secretKey), startLoginRequest });
  const finished = opaqueClient.finishLogin({ clientLoginState, loginResponse: start.loginResponse, password: input });
  if (finished === undefined) throw new Error('credentials rejected');
  const result = await post<LoginFinishResponse>(`${server}/api/auth/login/finish`, {
    loginId: start.loginId,
    finishLoginRequest: finished.finishLoginRequest,
    device: { id: deviceId, name: 'keys test', platform: 'vitest' },
  });
  const auk = deriveAccountUnlockKey(finished.exportKey);
  const keyset = await decryptKeyset(result.account!.keyset, auk);
  return { finished, auk, keyset, token: deriveSessionToken(finished.sessionKey) };
}

/**
 * The account's opened keyset, as its owner's client holds it (a fresh sign-in with the
 * credentials). Malicious-server tests use it to make wraps the owner's keyset really signed.
 */
export async function openAccountKeyset(server: string, email: string, password: string, secretKeyText: string): Promise<Keyset> {
  return (await signInAsOwner(server, email, password, secretKeyText, 'keyset-test-device-0001')).keyset;
}

export async function recoverAccountKeys(server: string, email: string, password: string, secretKeyText: string): Promise<Uint8Array[]> {
  const { finished, auk, keyset, token } = await signInAsOwner(server, email, password, secretKeyText, 'invariant-test-device-0001');
  const vaults = (await (await fetch(`${server}/api/vaults`, { headers: { authorization: `Bearer ${token}` } })).json()) as VaultList;
  const own = keysetTrustedSigner(keyset);
  const vaultKeys = await Promise.all(
    vaults.vaults.map((v) =>
      unwrapVaultKey(v.keyWrap, v.id, keysetRecipient(keyset), keyset.encryption.privateKey, (id) => (id === own.keysetId ? own : undefined)),
    ),
  );
  return [
    fromBase64Url(finished.exportKey),
    fromBase64Url(finished.sessionKey),
    auk,
    keyset.symmetricKey,
    keyset.encryption.privateKey,
    keyset.signing.secretKey,
    ...vaultKeys,
  ];
}

/** Every common spelling of some key bytes: hex, base64, base64url. */
export function encodings(bytes: Uint8Array): string[] {
  const b64 = Buffer.from(bytes).toString('base64');
  return [bytesToHex(bytes), b64.replace(/=+$/, ''), toBase64Url(bytes)];
}
