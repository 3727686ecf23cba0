/** The account's sessions and security log, as the signed-in user sees them. */
import type { AccountProfile, SecurityEvent, SessionInfo } from '@latchkey/core/wire/auth';
import type { ClientContext } from './context.ts';
import { requireSession } from './sign-in.ts';

export async function whoami(ctx: ClientContext): Promise<AccountProfile> {
  await requireSession(ctx);
  return ctx.api.request<AccountProfile>('GET', '/api/account');
}

export async function listSessions(ctx: ClientContext): Promise<SessionInfo[]> {
  await requireSession(ctx);
  return (await ctx.api.request<{ sessions: SessionInfo[] }>('GET', '/api/sessions')).sessions;
}

export async function revokeSession(ctx: ClientContext, sessionId: string): Promise<void> {
  await requireSession(ctx);
  await ctx.api.request('DELETE', `/api/sessions/${encodeURIComponent(sessionId)}`);
}

export async function revokeOtherSessions(ctx: ClientContext): Promise<number> {
  await requireSession(ctx);
  return (await ctx.api.request<{ revoked: number }>('POST', '/api/sessions/revoke-others', {})).revoked;
}

export async function securityLog(ctx: ClientContext): Promise<SecurityEvent[]> {
  await requireSession(ctx);
  return (await ctx.api.request<{ events: SecurityEvent[] }>('GET', '/api/account/security-log')).events;
}
