/**
 * X25519 (RFC 7748) through WebCrypto: the same platform primitive `@hpke/core` uses for
 * DHKEM(X25519), so the Wycheproof vectors run against the code HPKE really calls.
 */
import { concatBytes, toBufferSource } from '../bytes.ts';

// PKCS#8 prefix for a raw 32-byte X25519 private key (RFC 8410).
const PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

/**
 * Computes the shared secret.
 *
 * All-zero results (a low-order public key, Wycheproof's ZeroSharedSecret cases) throw, but the
 * check is WebCrypto's, not this function's: the Secure Curves spec makes X25519 `deriveBits`
 * reject an all-zero result with an OperationError, and Node does. The Wycheproof test pins this,
 * so a platform that stopped doing it would be noticed there.
 * @throws RangeError when a key is not 32 bytes; the platform's OperationError (a DOMException)
 *   for an all-zero result.
 */
export async function x25519SharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  if (privateKey.length !== 32) throw new RangeError('x25519 private key must be 32 bytes');
  if (publicKey.length !== 32) throw new RangeError('x25519 public key must be 32 bytes');
  const priv = await crypto.subtle.importKey('pkcs8', toBufferSource(concatBytes(PKCS8_PREFIX, privateKey)), { name: 'X25519' }, false, ['deriveBits']);
  const pub = await crypto.subtle.importKey('raw', toBufferSource(publicKey), { name: 'X25519' }, false, []);
  const bits = await crypto.subtle.deriveBits({ name: 'X25519', public: pub }, priv, 256);
  return new Uint8Array(bits);
}
