/**
 * HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + AES-256-GCM, from
 * `@hpke/core`. Used to wrap keys to a keyset's public key. Callers must pass an `info`
 * naming the purpose and an `aad` naming the wrapped object, so a wrapped key cannot be
 * replayed for another purpose or another object.
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { concatBytes, toBufferSource, utf8 } from '../bytes.ts';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const ENC_LENGTH = 32;

export interface HpkeKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

export interface HpkeContext {
  readonly info: string;
  readonly aad: string;
}

export async function generateHpkeKeyPair(): Promise<HpkeKeyPair> {
  const pair = await suite.kem.generateKeyPair();
  return {
    publicKey: new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey)),
    privateKey: new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey)),
  };
}

/** Returns enc || ciphertext. */
export async function hpkeSeal(recipientPublicKey: Uint8Array, plaintext: Uint8Array, context: HpkeContext): Promise<Uint8Array> {
  const recipient = await suite.kem.deserializePublicKey(toBufferSource(recipientPublicKey));
  const { enc, ct } = await suite.seal(
    { recipientPublicKey: recipient, info: toBufferSource(utf8(context.info)) },
    toBufferSource(plaintext),
    toBufferSource(utf8(context.aad)),
  );
  return concatBytes(new Uint8Array(enc), new Uint8Array(ct));
}

/** Throws when the ciphertext, the info or the aad do not match. */
export async function hpkeOpen(recipientPrivateKey: Uint8Array, sealed: Uint8Array, context: HpkeContext): Promise<Uint8Array> {
  if (sealed.length < ENC_LENGTH + 16) throw new RangeError('hpke ciphertext too short');
  const recipientKey = await suite.kem.deserializePrivateKey(toBufferSource(recipientPrivateKey));
  const pt = await suite.open(
    { recipientKey, enc: toBufferSource(sealed.subarray(0, ENC_LENGTH)), info: toBufferSource(utf8(context.info)) },
    toBufferSource(sealed.subarray(ENC_LENGTH)),
    toBufferSource(utf8(context.aad)),
  );
  return new Uint8Array(pt);
}
