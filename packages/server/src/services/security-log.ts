/** The account's security log as its owner reads it: the newest events first (docs/protocol.md §12). */
import type { SecurityEvent } from '@latchkey/core/wire/auth';
import type { ServerContext } from '../context.ts';
import { listSecurityEvents } from '../repositories/security-events.ts';
import type { AuthenticatedSession } from './sessions.ts';

export const SECURITY_LOG_LENGTH = 200;

export async function securityLog(ctx: ServerContext, session: AuthenticatedSession): Promise<SecurityEvent[]> {
  const events = await listSecurityEvents(ctx.db, session.userId, SECURITY_LOG_LENGTH);
  return events.map((e) => ({ id: String(e.id), type: e.type, createdAt: e.createdAt.toISOString(), ip: e.ip, detail: e.detail }));
}
