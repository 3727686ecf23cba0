/**
 * The state one SDK instance works with: where the server is, what this device remembers, and
 * (only while unlocked) the decrypted keyset and vault keys. Locking drops the keys.
 */
import type { Keyset } from '@latchkey/core/keyset';
import type { BoxKey } from '@latchkey/core/sealed-box';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { randomBytes, toBase64Url, wipe } from '@latchkey/core/bytes';
import type { ApiClient } from './http.ts';
import type { KeyDerivation } from './key-derivation.ts';
import { updateStore, type LocalStore } from './local-store.ts';

export interface DeviceDescription {
  readonly name: string;
  readonly platform: string;
}

export interface UnlockedKeys {
  readonly account: AccountProfile;
  readonly keyset: Keyset;
  readonly vaultKeys: Map<string, BoxKey>;
}

export interface ClientContext {
  readonly api: ApiClient;
  readonly store: LocalStore;
  readonly device: DeviceDescription;
  readonly derivation: KeyDerivation;
  keys: UnlockedKeys | undefined;
}

export async function deviceId(ctx: ClientContext): Promise<string> {
  const existing = (await ctx.store.read()).deviceId;
  if (existing !== undefined) return existing;
  const id = toBase64Url(randomBytes(16));
  await updateStore(ctx.store, (s) => {
    s.deviceId = id;
  });
  return id;
}

export async function deviceForRequest(ctx: ClientContext) {
  return { id: await deviceId(ctx), name: ctx.device.name, platform: ctx.device.platform };
}

export function dropKeys(ctx: ClientContext): void {
  if (ctx.keys !== undefined) {
    wipe(ctx.keys.keyset.symmetricKey);
    wipe(ctx.keys.keyset.encryption.privateKey);
    wipe(ctx.keys.keyset.signing.secretKey);
    ctx.keys.vaultKeys.clear();
  }
  ctx.keys = undefined;
}
