/** The per-account security log. `detail` holds descriptions only: never a secret, code or key. */
import type { Tx } from '../context.ts';
import type { JsonObject } from '../storage/schema.ts';

export type SecurityEventType =
  | 'account.created'
  | 'sign-in'
  | 'sign-in.new-device'
  | 'sign-in.wrong-secret-key'
  | 'sign-in.abandoned'
  | 'sign-in.failed'
  | 'session.revoked'
  | 'sessions.revoked-others'
  | 'sign-out'
  | 'password.changed'
  | 'secret-key.changed'
  | 'vault.created'
  | 'vault.renamed'
  | 'vault.deleted'
  | 'item.moved'
  | 'recovery-code.created'
  | 'recovery-code.activated'
  | 'recovery-code.checked'
  | 'recovery-code.deleted'
  | 'recovery-code.failed'
  | 'recovery-code.locked'
  | 'recovery-code.proved'
  | 'account.recovered'
  | 'second-factor.failed'
  | 'backup-code.used'
  | 'two-factor.totp-enabled'
  | 'two-factor.totp-disabled'
  | 'two-factor.security-key-added'
  | 'two-factor.security-key-removed'
  | 'two-factor.backup-codes-regenerated'
  | 'two-factor.reset-by-organization'
  | 'device.deauthorized'
  | 'device.enrollment-requested'
  | 'device.enrolled'
  | 'organizer-recovery.started'
  | 'organizer-recovery.member-step-done'
  | 'organizer-recovery.approved'
  | 'organizer-recovery.cancelled';

export async function recordSecurityEvent(
  db: Tx,
  event: { userId: string; type: SecurityEventType; detail?: JsonObject; ip: string | null; now: Date },
): Promise<void> {
  await db
    .insertInto('security_events')
    .values({ user_id: event.userId, type: event.type, detail: JSON.stringify(event.detail ?? {}), ip: event.ip, created_at: event.now })
    .execute();
}

export async function listSecurityEvents(db: Tx, userId: string, limit: number) {
  return db
    .selectFrom('security_events')
    .select(['id', 'type', 'detail', 'ip', 'created_at as createdAt'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
