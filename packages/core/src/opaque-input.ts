/**
 * Latchkey's two-secret OPAQUE input (docs/protocol.md): the account password *and* the Secret
 * Key, so the server's registration record (even with the server's OPRF seed) cannot be
 * attacked offline without the Secret Key's 130 random bits. Apart from `opaque.ts` so that a
 * client can build the input without loading the OPAQUE WebAssembly module (the web app runs
 * OPAQUE in a Web Worker only).
 */
import type { SecretKey } from './secret-key.ts';

/** The OPAQUE input: both secrets, length-delimited so no pair of inputs can collide. */
export function twoSecretPasswordInput(password: string, secretKey: SecretKey): string {
  const normalized = password.normalize('NFKC');
  return `latchkey/v1/2skd\u0000${secretKey}\u0000${normalized.length}\u0000${normalized}`;
}
