/** The account's sessions and security log, as the signed-in user sees them. */
import type { AccountProfile, SecurityEvent, SessionInfo } from '@latchkey/core/wire/auth';
import type { SessionId } from '@latchkey/core/ids';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ClientContext } from './context.ts';
import { requireSession } from './sign-in.ts';

export async function whoami(ctx: ClientContext): Promise<AccountProfile> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.account);
}

export async function listSessions(ctx: ClientContext): Promise<SessionInfo[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listSessions)).sessions;
}

export async function revokeSession(ctx: ClientContext, sessionId: SessionId): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.revokeSession, { params: { id: sessionId } });
}

export async function revokeOtherSessions(ctx: ClientContext): Promise<number> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.revokeOtherSessions, {})).revoked;
}

export async function securityLog(ctx: ClientContext): Promise<SecurityEvent[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.securityLog)).events;
}
