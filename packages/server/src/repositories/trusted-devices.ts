/** Trusted devices of passkey accounts and their sealed credential bundles (§24.11), always by owner. */
import type { Tx } from '../context.ts';

export interface TrustedDeviceRow {
  deviceId: string;
  name: string;
  platform: string;
  createdAt: Date;
  lastUsedAt: Date;
}

export async function listTrustedDevices(db: Tx, userId: string): Promise<TrustedDeviceRow[]> {
  return db
    .selectFrom('trusted_devices')
    .select(['device_id as deviceId', 'name', 'platform', 'created_at as createdAt', 'last_used_at as lastUsedAt'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'asc')
    .orderBy('device_id', 'asc')
    .execute();
}

export async function isTrustedDevice(db: Tx, userId: string, deviceId: string): Promise<boolean> {
  const row = await db.selectFrom('trusted_devices').select('device_id').where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
  return row !== undefined;
}

export async function insertTrustedDevice(
  db: Tx,
  device: { userId: string; deviceId: string; name: string; platform: string; sealedBundle: string; now: Date; replace?: boolean },
): Promise<void> {
  const insert = db.insertInto('trusted_devices').values({
    user_id: device.userId,
    device_id: device.deviceId,
    name: device.name,
    platform: device.platform,
    sealed_bundle: device.sealedBundle,
    created_at: device.now,
    last_used_at: device.now,
  });
  // `replace`: an enrollment that ends after the device became trusted another way (a race with
  // another of its own enrollments) keeps the newest bundle rather than failing the request.
  await (device.replace
    ? insert.onConflict((oc) => oc.columns(['user_id', 'device_id']).doUpdateSet({ sealed_bundle: device.sealedBundle, last_used_at: device.now }))
    : insert
  ).execute();
}

/** The device's sealed bundle, marking it used; undefined when the device is not trusted. */
export async function takeSealedBundleForUnlock(db: Tx, userId: string, deviceId: string, now: Date): Promise<string | undefined> {
  const row = await db
    .updateTable('trusted_devices')
    .set({ last_used_at: now })
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .returning('sealed_bundle')
    .executeTakeFirst();
  return row?.sealed_bundle;
}

export async function renameTrustedDevice(db: Tx, userId: string, deviceId: string, name: string): Promise<boolean> {
  const result = await db.updateTable('trusted_devices').set({ name }).where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes the row (and with it the sealed bundle); returns its name, or undefined when there was none. */
export async function deleteTrustedDevice(db: Tx, userId: string, deviceId: string): Promise<string | undefined> {
  const row = await db.deleteFrom('trusted_devices').where('user_id', '=', userId).where('device_id', '=', deviceId).returning('name').executeTakeFirst();
  return row?.name;
}

/** Every trusted device of the account (a recovery: the old bundles hold the old account secret). */
export async function deleteAllTrustedDevices(db: Tx, userId: string): Promise<number> {
  const result = await db.deleteFrom('trusted_devices').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
