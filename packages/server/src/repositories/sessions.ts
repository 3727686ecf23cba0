/** Sessions, looked up by the hash of their bearer token, always scoped to their user. */
import type { SessionId, UserId } from '@latchkey/core/ids';
import { PostgresAdapter, sql } from 'kysely';
import type { Tx } from '../context.ts';

export interface SessionRow {
  id: SessionId;
  userId: UserId;
  deviceId: string;
  deviceName: string;
  platform: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  reauthenticatedAt: Date | null;
  twoStepPending: boolean;
  kind: 'full' | 'enrollment';
  ip: string | null;
}

const sessionColumns = [
  'id',
  'user_id as userId',
  'device_id as deviceId',
  'device_name as deviceName',
  'platform',
  'created_at as createdAt',
  'last_used_at as lastUsedAt',
  'expires_at as expiresAt',
  'reauthenticated_at as reauthenticatedAt',
  'second_factor_pending as twoStepPending',
  'kind',
  'ip',
] as const;

/** The one place session and user ids are read from columns: the database holds only ids the server minted. */
const toSessionRow = <Row extends { id: string; userId: string }>(row: Row): Omit<Row, 'id' | 'userId'> & { id: SessionId; userId: UserId } => ({
  ...row,
  id: row.id as SessionId,
  userId: row.userId as UserId,
});

export async function insertSession(
  db: Tx,
  session: {
    id: string;
    userId: string;
    tokenHash: string;
    deviceId: string;
    deviceName: string;
    platform: string;
    ip: string | null;
    expiresAt: Date;
    now: Date;
    reauthenticated: boolean;
    twoStepPending: boolean;
    kind?: 'full' | 'enrollment';
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      token_hash: session.tokenHash,
      device_id: session.deviceId,
      device_name: session.deviceName,
      platform: session.platform,
      ip: session.ip,
      created_at: session.now,
      last_used_at: session.now,
      expires_at: session.expiresAt,
      reauthenticated_at: session.reauthenticated ? session.now : null,
      second_factor_pending: session.twoStepPending,
      kind: session.kind ?? 'full',
    })
    .execute();
}

export async function findSessionByTokenHash(db: Tx, tokenHash: string): Promise<SessionRow | undefined> {
  const row = await db.selectFrom('sessions').select(sessionColumns).where('token_hash', '=', tokenHash).executeTakeFirst();
  return row === undefined ? undefined : toSessionRow(row);
}

export async function listSessions(db: Tx, userId: string): Promise<SessionRow[]> {
  return (await db.selectFrom('sessions').select(sessionColumns).where('user_id', '=', userId).orderBy('created_at', 'asc').execute()).map(toSessionRow);
}

export async function touchSession(db: Tx, sessionId: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', sessionId).execute();
}

/** The second step was given: the session becomes a full one, with a full lifetime. */
export async function completePendingSession(db: Tx, sessionId: string, now: Date, expiresAt: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ second_factor_pending: false, reauthenticated_at: now, last_used_at: now, expires_at: expiresAt })
    .where('id', '=', sessionId)
    .where('second_factor_pending', '=', true)
    .execute();
}

export async function markReauthenticated(db: Tx, sessionId: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ reauthenticated_at: now, last_used_at: now }).where('id', '=', sessionId).execute();
}

/** Deletes one of the user's sessions; returns how many were deleted (0 when it is not theirs). */
export async function deleteSession(db: Tx, userId: string, sessionId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).where('id', '=', sessionId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteOtherSessions(db: Tx, userId: string, keepSessionId: string | null): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId !== null) query = query.where('id', '!=', keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Tx, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Forgets every device the user has signed in from (after a recovery: each is new again). */
export async function deleteDevices(db: Tx, userId: string): Promise<void> {
  await db.deleteFrom('devices').where('user_id', '=', userId).execute();
}

/** Records the device; returns true when the user has not signed in from it before. */
export async function recordDevice(db: Tx, userId: string, device: { id: string; name: string; platform: string }, now: Date): Promise<boolean> {
  const row = { user_id: userId, id: device.id, name: device.name, platform: device.platform, created_at: now, last_used_at: now };
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // One statement on PostgreSQL (a round trip per sign-in saved): a row just inserted has no
    // deleting transaction (xmax = 0), an updated one has this one's.
    const { inserted } = await db
      .insertInto('devices')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'id']).doUpdateSet({ last_used_at: now, name: device.name }))
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .executeTakeFirstOrThrow();
    return inserted;
  }
  // SQLite cannot tell an insert from an update in one statement; in-process, two cost little.
  const inserted = await db
    .insertInto('devices')
    .values(row)
    .onConflict((oc) => oc.columns(['user_id', 'id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted !== undefined) return true;
  await db.updateTable('devices').set({ last_used_at: now, name: device.name }).where('user_id', '=', userId).where('id', '=', device.id).execute();
  return false;
}
