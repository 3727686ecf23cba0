/**
 * The security log's events in words people use (the server's event types: docs/protocol.md
 * §12), each in a group the page filters by. `detail` comes from the server and is shown only
 * where its shape is known; an event type this app does not know yet still shows, by its name.
 */
import type { SecurityEvent } from '@latchkey/core/wire/auth';

export type EventGroup = 'sign-ins' | 'failed' | 'credentials' | 'two-step' | 'recovery' | 'vaults' | 'other';

export const EVENT_GROUPS: readonly { group: EventGroup; label: string }[] = [
  { group: 'sign-ins', label: 'Sign-ins and sessions' },
  { group: 'failed', label: 'Failed attempts' },
  { group: 'credentials', label: 'Password and Secret Key' },
  { group: 'two-step', label: 'Two-step verification' },
  { group: 'recovery', label: 'Recovery code and recovery' },
  { group: 'vaults', label: 'Vaults' },
  { group: 'other', label: 'Other' },
];

interface Wording {
  readonly group: EventGroup;
  readonly title: string;
  /** Whether the event is one the person should look at if it was not them. */
  readonly warn?: boolean;
}

const WORDING: Readonly<Record<string, Wording>> = {
  'account.created': { group: 'sign-ins', title: 'Account created' },
  'sign-in': { group: 'sign-ins', title: 'Signed in' },
  'sign-in.new-device': { group: 'sign-ins', title: 'Signed in on a new device' },
  'sign-out': { group: 'sign-ins', title: 'Signed out' },
  'session.revoked': { group: 'sign-ins', title: 'Another session signed out' },
  'sessions.revoked-others': { group: 'sign-ins', title: 'Signed out everywhere else' },
  'sign-in.wrong-secret-key': { group: 'failed', title: 'Sign-in refused: right password, wrong Secret Key', warn: true },
  'sign-in.failed': { group: 'failed', title: 'Sign-in failed', warn: true },
  'sign-in.abandoned': { group: 'failed', title: 'Sign-in started and not finished', warn: true },
  'second-factor.failed': { group: 'failed', title: 'Wrong two-step verification code', warn: true },
  'recovery-code.failed': { group: 'failed', title: 'Wrong recovery code entered', warn: true },
  'recovery-code.locked': { group: 'failed', title: 'Recovery locked after too many wrong recovery codes', warn: true },
  'password.changed': { group: 'credentials', title: 'Account password changed' },
  'secret-key.changed': { group: 'credentials', title: 'Secret Key changed' },
  'two-factor.totp-enabled': { group: 'two-step', title: 'Authenticator app turned on' },
  'two-factor.totp-disabled': { group: 'two-step', title: 'Authenticator app turned off' },
  'two-factor.security-key-added': { group: 'two-step', title: 'Security key added' },
  'two-factor.security-key-removed': { group: 'two-step', title: 'Security key removed' },
  'two-factor.backup-codes-regenerated': { group: 'two-step', title: 'New backup codes made' },
  'two-factor.reset-by-organization': { group: 'two-step', title: 'Two-step verification reset by your organization', warn: true },
  'backup-code.used': { group: 'two-step', title: 'Backup code used to sign in' },
  'recovery-code.created': { group: 'recovery', title: 'Recovery code made (waiting to be confirmed)' },
  'recovery-code.activated': { group: 'recovery', title: 'Recovery code confirmed and active' },
  'recovery-code.checked': { group: 'recovery', title: 'Recovery code checked' },
  'recovery-code.deleted': { group: 'recovery', title: 'Recovery code deleted' },
  'recovery-code.proved': { group: 'recovery', title: 'Recovery code entered to recover the account', warn: true },
  'account.recovered': { group: 'recovery', title: 'Account recovered: new password and Secret Key set', warn: true },
  'vault.created': { group: 'vaults', title: 'Vault created' },
  'vault.renamed': { group: 'vaults', title: 'Vault renamed' },
  'vault.deleted': { group: 'vaults', title: 'Vault deleted with its items', warn: true },
  'item.moved': { group: 'vaults', title: 'Item moved to another vault' },
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A short line from what the server recorded with the event, or undefined. */
function detailLine(event: SecurityEvent): string | undefined {
  const d = event.detail;
  const device = text(d.device);
  const platform = text(d.platform);
  const parts: string[] = [];
  if (device !== undefined) parts.push(platform !== undefined && platform !== device ? `${device} (${platform})` : device);
  if (d.purpose === 'reauth') parts.push('while confirming the password inside a session');
  const signedOut = count(d.signedOutSessions) ?? count(d.sessionsEnded);
  if (signedOut !== undefined) parts.push(`${plural(signedOut, 'other session', 'other sessions')} signed out`);
  if (event.type === 'sessions.revoked-others' && count(d.count) !== undefined) parts.push(plural(count(d.count)!, 'session', 'sessions'));
  if (event.type === 'backup-code.used' && count(d.remaining) !== undefined) parts.push(`${plural(count(d.remaining)!, 'backup code', 'backup codes')} left`);
  if (event.type === 'recovery-code.failed' && count(d.consecutiveFailures) !== undefined)
    parts.push(`${plural(count(d.consecutiveFailures)!, 'wrong attempt', 'wrong attempts')} in a row`);
  if (event.type === 'recovery-code.activated' && d.replaced === true) parts.push('replaces the previous recovery code');
  if (event.type === 'vault.deleted' && count(d.items) !== undefined) parts.push(plural(count(d.items)!, 'item deleted', 'items deleted'));
  if (event.type === 'vault.deleted' && count(d.shares) !== undefined && count(d.shares)! > 0)
    parts.push(`was shared ${plural(count(d.shares)!, 'time', 'times')}`);
  if (event.type === 'second-factor.failed' && text(d.method) !== undefined) parts.push(methodName(text(d.method)!));
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function methodName(method: string): string {
  if (method === 'totp') return 'authenticator app';
  if (method === 'backup-code') return 'backup code';
  if (method === 'security-key' || method === 'webauthn') return 'security key';
  return method;
}

export interface DescribedEvent {
  readonly group: EventGroup;
  readonly title: string;
  readonly detail?: string;
  readonly warn: boolean;
}

export function describeSecurityEvent(event: SecurityEvent): DescribedEvent {
  const known = WORDING[event.type];
  const detail = detailLine(event);
  if (known === undefined) return { group: 'other', title: `Event "${event.type}"`, detail, warn: false };
  return { group: known.group, title: known.title, detail, warn: known.warn === true };
}
