/**
 * Device enrollments (migration 0011), owner-scoped: every finder and every write names the user,
 * and the device the caller's session belongs to. Each state change is one conditional
 * statement, so under concurrent requests on any number of server instances an enrollment is
 * approved by one device, each message is written once and in order, and the enrollment ends
 * once (by the `DELETE … RETURNING` of its finish).
 */
import type { Tx } from '../context.ts';

export interface DeviceEnrollmentRow {
  readonly id: string;
  readonly userId: string;
  readonly newDeviceId: string;
  readonly newDeviceName: string;
  readonly newDevicePlatform: string;
  readonly trustedDeviceId: string | null;
  readonly message1: string | null;
  readonly message2: string | null;
  readonly message3: string | null;
  readonly message4: string | null;
  readonly expiresAt: Date;
}

export type MessageStep = 1 | 2 | 3 | 4;

const COLUMN = { 1: 'message_1', 2: 'message_2', 3: 'message_3', 4: 'message_4' } as const;

export async function insertDeviceEnrollment(db: Tx, row: { id: string; userId: string; newDeviceId: string; now: Date; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('device_enrollments')
    .values({ id: row.id, user_id: row.userId, new_device_id: row.newDeviceId, created_at: row.now, expires_at: row.expiresAt })
    .execute();
}

/** Deletes the user's expired enrollments, and all but the `keep` newest live ones. */
export async function trimDeviceEnrollments(db: Tx, params: { userId: string; keep: number; now: Date }): Promise<void> {
  await db.deleteFrom('device_enrollments').where('user_id', '=', params.userId).where('expires_at', '<=', params.now).execute();
  const newest = db
    .selectFrom('device_enrollments')
    .select('id')
    .where('user_id', '=', params.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(params.keep);
  await db.deleteFrom('device_enrollments').where('user_id', '=', params.userId).where('id', 'not in', newest).execute();
}

const selectRows = (db: Tx, userId: string) =>
  db
    .selectFrom('device_enrollments as e')
    .leftJoin('devices as d', (join) => join.onRef('d.user_id', '=', 'e.user_id').onRef('d.id', '=', 'e.new_device_id'))
    .select([
      'e.id',
      'e.user_id as userId',
      'e.new_device_id as newDeviceId',
      'd.name as newDeviceName',
      'd.platform as newDevicePlatform',
      'e.trusted_device_id as trustedDeviceId',
      'e.message_1 as message1',
      'e.message_2 as message2',
      'e.message_3 as message3',
      'e.message_4 as message4',
      'e.expires_at as expiresAt',
    ])
    .where('e.user_id', '=', userId);

type Selected = Awaited<ReturnType<ReturnType<typeof selectRows>['executeTakeFirstOrThrow']>>;

const toRow = (r: Selected): DeviceEnrollmentRow => ({
  id: r.id,
  userId: r.userId,
  newDeviceId: r.newDeviceId,
  newDeviceName: r.newDeviceName ?? '',
  newDevicePlatform: r.newDevicePlatform ?? '',
  trustedDeviceId: r.trustedDeviceId,
  message1: r.message1,
  message2: r.message2,
  message3: r.message3,
  message4: r.message4,
  expiresAt: new Date(r.expiresAt),
});

/** The user's enrollment `id`, expired or not (the service tells the two apart); never another user's. */
export async function findDeviceEnrollment(db: Tx, params: { userId: string; id: string }): Promise<DeviceEnrollmentRow | undefined> {
  const row = await selectRows(db, params.userId).where('e.id', '=', params.id).executeTakeFirst();
  return row === undefined ? undefined : toRow(row);
}

/** Live enrollments `deviceId` may see: unapproved ones of the account, and those it is a party to. */
export async function listDeviceEnrollments(db: Tx, params: { userId: string; deviceId: string; now: Date }): Promise<DeviceEnrollmentRow[]> {
  const rows = await selectRows(db, params.userId)
    .where('e.expires_at', '>', params.now)
    .where((eb) => eb.or([eb('e.trusted_device_id', 'is', null), eb('e.new_device_id', '=', params.deviceId), eb('e.trusted_device_id', '=', params.deviceId)]))
    .orderBy('e.created_at', 'asc')
    .orderBy('e.id', 'asc')
    .execute();
  return rows.map(toRow);
}

/**
 * Makes `deviceId` the trusted device, if nobody is yet, it is not the new device itself and it
 * is one of the account's trusted devices (in the same statement, so a device deauthorized
 * meanwhile cannot approve). @returns whether it did.
 */
export async function approveDeviceEnrollment(db: Tx, params: { userId: string; id: string; deviceId: string; now: Date }): Promise<boolean> {
  const result = await db
    .updateTable('device_enrollments')
    .set({ trusted_device_id: params.deviceId })
    .where('id', '=', params.id)
    .where('user_id', '=', params.userId)
    .where('trusted_device_id', 'is', null)
    .where('new_device_id', '<>', params.deviceId)
    .where('expires_at', '>', params.now)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('trusted_devices').select('device_id').where('user_id', '=', params.userId).where('device_id', '=', params.deviceId)),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Writes message `step`, only if it is empty, the one before it is written, the enrollment is
 * approved and live, and `deviceId` is the device whose turn it is (odd steps: the new device;
 * even: the trusted one). @returns whether it did.
 */
export async function writeEnrollmentMessage(
  db: Tx,
  params: { userId: string; id: string; deviceId: string; step: MessageStep; message: string; now: Date },
): Promise<boolean> {
  let query = db
    .updateTable('device_enrollments')
    .set({ [COLUMN[params.step]]: params.message })
    .where('id', '=', params.id)
    .where('user_id', '=', params.userId)
    .where('expires_at', '>', params.now)
    .where('trusted_device_id', 'is not', null)
    .where(params.step % 2 === 1 ? 'new_device_id' : 'trusted_device_id', '=', params.deviceId)
    .where(COLUMN[params.step], 'is', null);
  if (params.step > 1) query = query.where(COLUMN[(params.step - 1) as MessageStep], 'is not', null);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends the enrollment, if message 4 is written, it is live and `deviceId` is its new device:
 * once, by one `DELETE … RETURNING`. @returns its trusted device, or undefined when it did not.
 */
export async function endEnrollment(
  db: Tx,
  params: { userId: string; id: string; deviceId: string; now: Date },
): Promise<{ trustedDeviceId: string } | undefined> {
  const row = await db
    .deleteFrom('device_enrollments')
    .where('id', '=', params.id)
    .where('user_id', '=', params.userId)
    .where('new_device_id', '=', params.deviceId)
    .where('message_4', 'is not', null)
    .where('expires_at', '>', params.now)
    .returning('trusted_device_id')
    .executeTakeFirst();
  return row?.trusted_device_id ? { trustedDeviceId: row.trusted_device_id } : undefined;
}
