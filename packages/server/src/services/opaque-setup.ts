/**
 * The OPAQUE server setup (OPRF seed and the server's static key pair): the server's most
 * valuable secret. With it and a copy of the database, anyone can run the server's half of
 * OPAQUE and test password guesses offline (still only together with a Secret Key), and it is
 * part of every account's export key. Every instance must use the same one, so it lives in the
 * database, but only sealed with the server keyring (AES-256-GCM, associated data naming it):
 * a database copy alone does not hold it.
 *
 * At start-up: a plaintext setup left by an older version is sealed (and the plaintext row
 * removed in the same transaction); a setup under an older keyring key is re-sealed under the
 * current one; a database without one gets a new one.
 */
import { fromUtf8, utf8 } from '@latchkey/core/bytes';
import { opaqueServer } from '@latchkey/core/opaque';
import type { Tx } from '../context.ts';
import type { ServerKeyring } from '../security/server-keys.ts';
import { deleteServerSecret, findServerSecret, putServerSecretOnce, replaceServerSecret } from '../repositories/server-secrets.ts';

/** The row name of the sealed setup. */
export const SEALED_SETUP = 'opaque-server-setup-sealed';
/** The row name older versions stored the setup under, in plaintext. */
export const PLAINTEXT_SETUP = 'opaque-server-setup';

const binding = { secret: SEALED_SETUP };

export class KeyringMismatchError extends Error {
  override readonly name = 'KeyringMismatchError';
}

export const sealOpaqueSetup = (keyring: ServerKeyring, setup: string): Promise<string> => keyring.seal(utf8(setup), 'opaque-server-setup', binding);

async function openSetup(keyring: ServerKeyring, sealed: string): Promise<string> {
  try {
    return fromUtf8(await keyring.open(sealed, 'opaque-server-setup', binding));
  } catch (cause) {
    throw new KeyringMismatchError(
      'The OPAQUE server setup in the database cannot be opened with this server keyring. Start the server with the keyring it was sealed with (--server-keys-file).',
      { cause },
    );
  }
}

/**
 * The setup, after sealing a plaintext one, re-sealing under the current key, or creating one.
 * @throws KeyringMismatchError when the stored setup does not open with `keyring`.
 */
export async function loadOpaqueServerSetup(db: Tx, keyring: ServerKeyring): Promise<{ setup: string; sealedPlaintext: boolean; resealed: boolean }> {
  let sealedPlaintext = false;
  const plaintext = await findServerSecret(db, PLAINTEXT_SETUP);
  if (plaintext !== undefined) {
    const sealed = await sealOpaqueSetup(keyring, plaintext);
    await db.transaction().execute(async (tx) => {
      await putServerSecretOnce(tx, SEALED_SETUP, sealed);
      await deleteServerSecret(tx, PLAINTEXT_SETUP);
    });
    sealedPlaintext = true;
  }
  let stored = await findServerSecret(db, SEALED_SETUP);
  if (stored === undefined) stored = await putServerSecretOnce(db, SEALED_SETUP, await sealOpaqueSetup(keyring, opaqueServer.createSetup()));
  const setup = await openSetup(keyring, stored);
  const resealed = !keyring.isCurrent(stored);
  if (resealed) await replaceServerSecret(db, SEALED_SETUP, stored, await sealOpaqueSetup(keyring, setup));
  return { setup, sealedPlaintext, resealed };
}
