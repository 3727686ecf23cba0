/**
 * A keyset: a random symmetric key (encrypted by the Account Unlock Key), an X25519 HPKE key
 * pair and an Ed25519 signing pair (private halves encrypted by the symmetric key). Changing
 * the password or the Secret Key re-encrypts only the symmetric key; the keyset stays.
 */
import { fromBase64Url, randomBytes, toBase64Url } from './bytes.ts';
import { generateSigningKeyPair, signingPublicKey, type SigningKeyPair } from './crypto/ed25519.ts';
import { generateHpkeKeyPair, type HpkeKeyPair } from './crypto/hpke.ts';
import { associatedData } from './associated-data.ts';
import { importBoxKey, openBox, sealBox } from './sealed-box.ts';
import { equalBytes } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import type { KeyWrapRecipient, KeyWrapSigner, TrustedSigner } from './key-wrap.ts';

export interface Keyset {
  readonly id: string;
  readonly symmetricKey: Uint8Array;
  readonly encryption: HpkeKeyPair;
  readonly signing: SigningKeyPair;
}

/**
 * The keyset's private halves sealed under its symmetric key, with the public keys in the clear.
 * A user's keyset adds the symmetric key wrapped by the Account Unlock Key (`EncryptedKeyset`);
 * an organization's or a group's adds signed wraps of it, one per member (`shared-keyset.ts`).
 */
export interface SealedKeyset {
  readonly id: string;
  readonly publicKey: string;
  readonly encryptedPrivateKey: string;
  readonly signingPublicKey: string;
  readonly encryptedSigningKey: string;
}

/** What the server stores: public keys in the clear, everything secret encrypted. */
export interface EncryptedKeyset extends SealedKeyset {
  readonly encryptedSymmetricKey: string;
}

/** A keyset's public half: what another client wraps to and checks signatures with. */
export interface PublicKeyset {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly signingPublicKey: Uint8Array;
}

export async function createKeyset(id: string = crypto.randomUUID()): Promise<Keyset> {
  return { id, symmetricKey: randomBytes(32), encryption: await generateHpkeKeyPair(), signing: generateSigningKeyPair() };
}

/** What a copy of the keyset's symmetric key is wrapped with. */
export type KeysetWrapper = 'account-unlock-key' | 'recovery-code';

const symmetricKeyAd = (keysetId: string, wrapper: KeysetWrapper) => associatedData('keyset-symmetric-key', { keyset: keysetId, wrapper });
const privateKeyAd = (keysetId: string, publicKey: string) => associatedData('keyset-private-key', { keyset: keysetId, public: publicKey });
const signingKeyAd = (keysetId: string, publicKey: string) => associatedData('keyset-signing-key', { keyset: keysetId, public: publicKey });

/** Encrypts the keyset's symmetric key with a wrapping key: the Account Unlock Key, or a recovery code's key. */
export async function wrapKeysetSymmetricKey(
  keyset: Pick<Keyset, 'id' | 'symmetricKey'>,
  wrappingKey: Uint8Array,
  wrapper: KeysetWrapper = 'account-unlock-key',
): Promise<string> {
  return sealBox(await importBoxKey(wrappingKey), keyset.symmetricKey, symmetricKeyAd(keyset.id, wrapper));
}

/** Throws `decryption_failed` when the key or the wrapper does not match. */
export async function unwrapKeysetSymmetricKey(keysetId: string, wrapped: string, wrappingKey: Uint8Array, wrapper: KeysetWrapper): Promise<Uint8Array> {
  return openBox(await importBoxKey(wrappingKey), wrapped, symmetricKeyAd(keysetId, wrapper));
}

/** Seals both private halves under the keyset's own symmetric key, each bound to the keyset id and its public key. */
export async function sealKeyset(keyset: Keyset): Promise<SealedKeyset> {
  const symmetric = await importBoxKey(keyset.symmetricKey);
  const publicKey = toBase64Url(keyset.encryption.publicKey);
  const signingPub = toBase64Url(keyset.signing.publicKey);
  return {
    id: keyset.id,
    publicKey,
    encryptedPrivateKey: await sealBox(symmetric, keyset.encryption.privateKey, privateKeyAd(keyset.id, publicKey)),
    signingPublicKey: signingPub,
    encryptedSigningKey: await sealBox(symmetric, keyset.signing.secretKey, signingKeyAd(keyset.id, signingPub)),
  };
}

export async function encryptKeyset(keyset: Keyset, accountUnlockKey: Uint8Array): Promise<EncryptedKeyset> {
  const sealed = await sealKeyset(keyset);
  const encryptedSymmetricKey = await wrapKeysetSymmetricKey(keyset, accountUnlockKey);
  const { id, publicKey, encryptedPrivateKey, signingPublicKey: signingPub, encryptedSigningKey } = sealed;
  return { id, encryptedSymmetricKey, publicKey, encryptedPrivateKey, signingPublicKey: signingPub, encryptedSigningKey };
}

/** Opens the keyset with its Account Unlock Key. Throws `decryption_failed` for a wrong key or any tampering. */
export async function decryptKeyset(encrypted: EncryptedKeyset, accountUnlockKey: Uint8Array): Promise<Keyset> {
  return openKeyset(encrypted, await unwrapKeysetSymmetricKey(encrypted.id, encrypted.encryptedSymmetricKey, accountUnlockKey, 'account-unlock-key'));
}

/** Opens the keyset's private halves with its symmetric key (however that was unwrapped). */
export async function openKeyset(encrypted: SealedKeyset, symmetricKey: Uint8Array): Promise<Keyset> {
  const symmetric = await importBoxKey(symmetricKey);
  const privateKey = await openBox(symmetric, encrypted.encryptedPrivateKey, privateKeyAd(encrypted.id, encrypted.publicKey));
  const signingSecret = await openBox(symmetric, encrypted.encryptedSigningKey, signingKeyAd(encrypted.id, encrypted.signingPublicKey));
  if (!equalBytes(signingPublicKey(signingSecret), fromBase64Url(encrypted.signingPublicKey))) {
    throw new LatchkeyError('decryption_failed', 'The keyset signing key does not match its public key.');
  }
  return {
    id: encrypted.id,
    symmetricKey,
    encryption: { publicKey: fromBase64Url(encrypted.publicKey), privateKey },
    signing: { publicKey: fromBase64Url(encrypted.signingPublicKey), secretKey: signingSecret },
  };
}

/*
 * The keyset in the roles of a signed key wrap (`key-wrap.ts`). Only an opened keyset fills them:
 * its id and public keys were authenticated by opening it (they are bound into the associated
 * data of its private halves), so a server cannot substitute them.
 */

/** This keyset as the recipient of a key wrap. */
export const keysetRecipient = (keyset: Keyset): KeyWrapRecipient => ({ keysetId: keyset.id, publicKey: keyset.encryption.publicKey });

/** This keyset as the signer of a key wrap it makes. */
export const keysetSigner = (keyset: Keyset): KeyWrapSigner => ({ keysetId: keyset.id, signingSecretKey: keyset.signing.secretKey });

/** This keyset's public half. */
export const keysetPublicPart = (keyset: Keyset): PublicKeyset => ({
  id: keyset.id,
  publicKey: keyset.encryption.publicKey,
  signingPublicKey: keyset.signing.publicKey,
});

/** A public keyset as the recipient of a key wrap (only once its public half is trusted, e.g. certified). */
export const publicKeysetRecipient = (keyset: PublicKeyset): KeyWrapRecipient => ({ keysetId: keyset.id, publicKey: keyset.publicKey });

/** A public keyset as a signer whose wraps are trusted (only once its public half is trusted). */
export const publicKeysetTrustedSigner = (keyset: PublicKeyset): TrustedSigner => ({ keysetId: keyset.id, signingPublicKey: keyset.signingPublicKey });

/** This keyset as a signer whose wraps are trusted. */
export const keysetTrustedSigner = (keyset: Keyset): TrustedSigner => ({ keysetId: keyset.id, signingPublicKey: keyset.signing.publicKey });
