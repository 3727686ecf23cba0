/**
 * Which keysets this device trusts to vouch for keys, and the key fingerprints it pins.
 *
 * Protects against a malicious server handing the client key material of its choosing
 * (docs/protocol.md §8.3). A wrapped key is used only when its signature verifies against a trusted
 * keyset, and only when its fingerprint matches what this device pinned for that vault (the
 * first verified key is pinned: trust on first verified use). Today the only trusted keyset is
 * the user's own, authenticated by the Account Unlock Key when it opened; families (not yet
 * implemented, docs/protocol.md §21) will extend `trustedSigners` with confirmed members and
 * organization keysets.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { KeyWrapPurpose, TrustedSignerLookup } from '@latchkey/core/key-wrap';
import { keysetTrustedSigner } from '@latchkey/core/keyset';
import type { ClientContext, UnlockedKeys } from './context.ts';
import { updateStore } from './local-store.ts';

/** The keysets whose wraps this unlocked client accepts. */
export function trustedSigners(keys: UnlockedKeys): TrustedSignerLookup {
  const own = keysetTrustedSigner(keys.keyset);
  return (keysetId) => (keysetId === own.keysetId ? own : undefined);
}

export const pinId = (purpose: KeyWrapPurpose, subjectId: string): string => `${purpose}:${subjectId}`;

export interface KeyPin {
  readonly purpose: KeyWrapPurpose;
  readonly subjectId: string;
  readonly fingerprint: string;
}

const keyChanged = (pin: KeyPin) =>
  new LatchkeyError(
    'key_changed',
    `The server sent a different key for ${pin.purpose === 'vault-key' ? 'vault' : pin.purpose} ${pin.subjectId} than the one this device knows; it was refused.`,
    {
      details: { purpose: pin.purpose, subject: pin.subjectId },
    },
  );

/** The pin of a vault this device deleted: no fingerprint equals it, so the vault shown again is refused. */
export const DELETED_PIN = 'deleted';

const deletedShownAgain = (pin: KeyPin) =>
  new LatchkeyError('rollback_detected', `The server showed vault ${pin.subjectId} again, which this device deleted; it was refused.`, {
    details: { purpose: pin.purpose, subject: pin.subjectId },
  });

/** Replaces the vault's pin by `DELETED_PIN` (after the server confirmed the deletion). */
export async function pinVaultDeleted(ctx: ClientContext, keysetId: string, vaultId: string): Promise<void> {
  await updateStore(ctx.store, (s) => {
    s.keyPins = { ...s.keyPins, [keysetId]: { ...(s.keyPins?.[keysetId] ?? {}), [pinId('vault-key', vaultId)]: DELETED_PIN } };
  });
}

/**
 * Checks each fingerprint against this device's pins for `keysetId` and pins the ones it has not
 * seen, in one write. Call only with keys whose wraps verified.
 * @throws LatchkeyError `key_changed` when a key differs from its pin (nothing is pinned then);
 *   `rollback_detected` for a vault this device deleted.
 */
export async function checkAndPinKeys(ctx: ClientContext, keysetId: string, pins: readonly KeyPin[]): Promise<void> {
  const seen = new Map<string, KeyPin>();
  for (const pin of pins) {
    const id = pinId(pin.purpose, pin.subjectId);
    // The same subject twice in one answer, with two keys: at most one of them can be right.
    if (seen.has(id) && seen.get(id)!.fingerprint !== pin.fingerprint) throw keyChanged(pin);
    seen.set(id, pin);
  }
  const pinned = (await ctx.store.read()).keyPins?.[keysetId] ?? {};
  const check = (known: Record<string, string>) => {
    for (const [id, pin] of seen) {
      if (known[id] === DELETED_PIN) throw deletedShownAgain(pin);
      if (known[id] !== undefined && known[id] !== pin.fingerprint) throw keyChanged(pin);
    }
  };
  check(pinned);
  if ([...seen].every(([id]) => pinned[id] !== undefined)) return;
  await updateStore(ctx.store, (s) => {
    const mine = { ...(s.keyPins?.[keysetId] ?? {}) };
    check(mine);
    for (const [id, pin] of seen) mine[id] = pin.fingerprint;
    s.keyPins = { ...s.keyPins, [keysetId]: mine };
  });
}
