/** Accounts and their keysets. Emails are stored lower-cased and trimmed. */
import { LatchkeyError } from '@latchkey/core/errors';
import type { Tx } from '../context.ts';
import type { EncryptedKeyset } from '@latchkey/core/wire/common';
import type { UserId } from '@latchkey/core/ids';
import { pausePoint } from '../testing/pause-points.ts';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export interface UserRow {
  id: UserId;
  email: string;
  name: string;
  accountId: string;
  opaqueRecord: string;
  secretKeyVerifier: string;
  keysetId: string;
  /** Moves on every password, Secret Key or recovery swap. */
  credentialsVersion: number;
  /** `passkey`: no password; the recovery code is its only self-service recovery (§24.9). */
  unlockMethod: 'password' | 'passkey';
}

const userColumns = [
  'users.id',
  'users.email',
  'users.name',
  'users.account_id as accountId',
  'users.opaque_record as opaqueRecord',
  'users.secret_key_verifier as secretKeyVerifier',
  'users.keyset_id as keysetId',
  'users.credentials_version as credentialsVersion',
  'users.unlock_method as unlockMethod',
] as const;

/** The one place a user id is read from a column: the database holds only ids the server minted. */
const toUserRow = <Row extends { id: string }>(row: Row | undefined): (Omit<Row, 'id'> & { id: UserId }) | undefined =>
  row === undefined ? undefined : { ...row, id: row.id as UserId };

export async function findUserByEmail(db: Tx, email: string): Promise<UserRow | undefined> {
  return toUserRow(await db.selectFrom('users').select(userColumns).where('email', '=', normalizeEmail(email)).executeTakeFirst());
}

/**
 * The user a sign-in starts for, and whether an earlier sign-in or re-authentication of theirs
 * expired unfinished (which the start logs first: services/sign-in-failures.ts), in one statement.
 */
export async function findUserForSignIn(db: Tx, email: string, now: Date): Promise<{ user: UserRow; abandonedSignIns: boolean } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(userColumns)
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('login_attempts')
            .select('login_attempts.id')
            .whereRef('login_attempts.user_id', '=', 'users.id')
            .where('login_attempts.expires_at', '<=', now),
        )
        .as('abandonedSignIns'),
    )
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { abandonedSignIns, ...user } = row;
  // SQLite answers EXISTS with 0 or 1.
  return { user: { ...user, id: user.id as UserId }, abandonedSignIns: Boolean(abandonedSignIns) };
}

export async function findUserById(db: Tx, id: string): Promise<UserRow | undefined> {
  return toUserRow(await db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst());
}

export async function emailExists(db: Tx, email: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('email', '=', normalizeEmail(email)).executeTakeFirst();
  return row !== undefined;
}

export async function insertUserWithKeyset(
  db: Tx,
  user: { id: string; email: string; name: string; accountId: string; opaqueRecord: string; secretKeyVerifier: string; unlockMethod?: 'password' | 'passkey' },
  keyset: EncryptedKeyset,
): Promise<void> {
  await db
    .insertInto('keysets')
    .values({
      id: keyset.id,
      owner_user_id: user.id,
      encrypted_symmetric_key: keyset.encryptedSymmetricKey,
      public_key: keyset.publicKey,
      encrypted_private_key: keyset.encryptedPrivateKey,
      signing_public_key: keyset.signingPublicKey,
      encrypted_signing_key: keyset.encryptedSigningKey,
    })
    .execute();
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: normalizeEmail(user.email),
      name: user.name,
      account_id: user.accountId,
      opaque_record: user.opaqueRecord,
      secret_key_verifier: user.secretKeyVerifier,
      keyset_id: keyset.id,
      unlock_method: user.unlockMethod ?? 'password',
    })
    .execute();
}

export async function findKeyset(db: Tx, keysetId: string): Promise<EncryptedKeyset> {
  const row = await db
    .selectFrom('keysets')
    .select([
      'id',
      'encrypted_symmetric_key as encryptedSymmetricKey',
      'public_key as publicKey',
      'encrypted_private_key as encryptedPrivateKey',
      'signing_public_key as signingPublicKey',
      'encrypted_signing_key as encryptedSigningKey',
    ])
    .where('id', '=', keysetId)
    .executeTakeFirstOrThrow();
  return row;
}

/** Which second steps an account has set up, as `twoStepMethods` (services/two-step-proof.ts) reads them. */
export interface TwoStepFactors {
  readonly totp: boolean;
  readonly securityKeys: boolean;
  readonly unusedBackupCodes: number;
}

/** An account as a sign-in's second round trip needs it: the user, its keyset and its second steps. */
export interface SignInAccount {
  readonly user: UserRow;
  readonly keyset: EncryptedKeyset;
  readonly twoStep: TwoStepFactors;
}

/**
 * The user, its keyset and which second steps it has, in one statement (one snapshot) instead
 * of five: a sign-in reads all of them right after OPAQUE (docs/operations.md, "Sign-in cost").
 */
export async function findSignInAccount(db: Tx, id: string): Promise<SignInAccount | undefined> {
  const row = await db
    .selectFrom('users')
    .innerJoin('keysets', 'keysets.id', 'users.keyset_id')
    .select(userColumns)
    .select([
      'keysets.encrypted_symmetric_key as encryptedSymmetricKey',
      'keysets.public_key as publicKey',
      'keysets.encrypted_private_key as encryptedPrivateKey',
      'keysets.signing_public_key as signingPublicKey',
      'keysets.encrypted_signing_key as encryptedSigningKey',
    ])
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom('totp_factors')
            .select('totp_factors.user_id')
            .whereRef('totp_factors.user_id', '=', 'users.id')
            .where('totp_factors.status', '=', 'active'),
        )
        .as('hasTotp'),
      eb.exists(eb.selectFrom('security_keys').select('security_keys.user_id').whereRef('security_keys.user_id', '=', 'users.id')).as('hasSecurityKeys'),
      eb
        .selectFrom('backup_codes')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('backup_codes.user_id', '=', 'users.id')
        .where('backup_codes.used_at', 'is', null)
        .as('unusedBackupCodes'),
    ])
    .where('users.id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { encryptedSymmetricKey, publicKey, encryptedPrivateKey, signingPublicKey, encryptedSigningKey, hasTotp, hasSecurityKeys, unusedBackupCodes, ...user } =
    row;
  return {
    user: { ...user, id: user.id as UserId },
    keyset: { id: user.keysetId, encryptedSymmetricKey, publicKey, encryptedPrivateKey, signingPublicKey, encryptedSigningKey },
    // SQLite answers EXISTS with 0 or 1.
    twoStep: { totp: Boolean(hasTotp), securityKeys: Boolean(hasSecurityKeys), unusedBackupCodes: Number(unusedBackupCodes ?? 0) },
  };
}

/** Replaces the credentials in one statement pair inside the caller's transaction. */
export async function replaceCredentials(
  db: Tx,
  userId: string,
  change: { accountId: string; opaqueRecord: string; secretKeyVerifier: string; encryptedSymmetricKey: string },
  now: Date,
): Promise<void> {
  // The account id part of the Secret Key names the account for good: a new Secret Key keeps it.
  const current = await db.selectFrom('users').select('account_id').where('id', '=', userId).executeTakeFirstOrThrow();
  if (current.account_id !== change.accountId) throw new LatchkeyError('invalid_request', 'A new Secret Key must keep the account id of the old one.');
  const user = await db
    .updateTable('users')
    .set((eb) => ({
      account_id: change.accountId,
      opaque_record: change.opaqueRecord,
      secret_key_verifier: change.secretKeyVerifier,
      credentials_version: eb('credentials_version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', userId)
    .returning('keyset_id')
    .executeTakeFirstOrThrow();
  await pausePoint('credentials-swap:users-updated');
  await db
    .updateTable('keysets')
    .set({ encrypted_symmetric_key: change.encryptedSymmetricKey, updated_at: now })
    .where('id', '=', user.keyset_id)
    .where('owner_user_id', '=', userId)
    .execute();
}

/**
 * Installs the credentials and keyset an organizer recovery set up (inside the completion's
 * transaction): a new keyset row, and the user's OPAQUE record, Secret Key verifier and keyset
 * replaced (`credentials_version` + 1). The old keyset row stays (nothing references it any more).
 */
export async function installRecoveredCredentials(
  db: Tx,
  userId: string,
  change: { accountId: string; opaqueRecord: string; secretKeyVerifier: string; keyset: EncryptedKeyset },
  now: Date,
): Promise<void> {
  await db
    .insertInto('keysets')
    .values({
      id: change.keyset.id,
      owner_user_id: userId,
      encrypted_symmetric_key: change.keyset.encryptedSymmetricKey,
      public_key: change.keyset.publicKey,
      encrypted_private_key: change.keyset.encryptedPrivateKey,
      signing_public_key: change.keyset.signingPublicKey,
      encrypted_signing_key: change.keyset.encryptedSigningKey,
    })
    .execute();
  await db
    .updateTable('users')
    .set((eb) => ({
      account_id: change.accountId,
      opaque_record: change.opaqueRecord,
      secret_key_verifier: change.secretKeyVerifier,
      keyset_id: change.keyset.id,
      credentials_version: eb('credentials_version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', userId)
    .execute();
}

/** A user's own keyset, public half, as stored. */
export async function findUserPublicKeyset(db: Tx, userId: string): Promise<{ id: string; publicKey: string; signingPublicKey: string } | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('keysets', 'keysets.id', 'users.keyset_id')
    .select(['keysets.id', 'keysets.public_key as publicKey', 'keysets.signing_public_key as signingPublicKey'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
}
