/**
 * The invitation code from an emailed link (`#/invitations/<code>`, §22.3), kept in this tab's
 * session storage so it survives signing in or signing up first.
 */
const KEY = 'latchkey.pendingInvitation';

/** Takes the code out of the address (so it is not left in history) and keeps it for this tab. */
export function captureInvitationFromHash(): void {
  const match = /^#\/invitations\/([A-Za-z0-9_-]{43})$/.exec(window.location.hash);
  if (match?.[1] === undefined) return;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  try {
    sessionStorage.setItem(KEY, match[1]);
  } catch {
    // Storage disabled: the link cannot be kept through a sign-in; the app itself must still start.
  }
}

export function pendingInvitation(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function forgetPendingInvitation(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing was kept.
  }
}
