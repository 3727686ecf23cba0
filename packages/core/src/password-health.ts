/**
 * The password health report (like 1Password's Watchtower or Bitwarden's reports), computed on
 * the device from decrypted items, so no password, hash of one or comparison result ever goes
 * to the server: weak passwords (password-strength-estimate.ts), passwords used by more than one
 * item, and passwords not changed for over a year. The report names items, never their
 * passwords, so it can be printed or logged as it is (docs/protocol.md §8.5).
 */
import {
  estimatePasswordStrength,
  STRONG_ENOUGH_SCORE,
  type PasswordStrengthEstimate,
  type StrengthScore,
  type WeakReason,
} from './password-strength-estimate.ts';

/** What the report reads of an item: the SDK's decrypted item fits as it is. */
export interface HealthCheckedItem {
  readonly id: string;
  readonly vaultId: string;
  readonly title: string;
  readonly username?: string;
  readonly password?: string;
  /** When the item last changed (the server's time); the password is at least this recent. */
  readonly updatedAt: string;
  /** Earlier passwords, each with when it was replaced: the newest replacement is when the current password was set. */
  readonly passwordHistory?: readonly { readonly replacedAt: string }[];
}

/** An item named in the report: enough to show and link to it, nothing secret. */
export interface HealthItem {
  readonly itemId: string;
  readonly vaultId: string;
  readonly title: string;
  readonly username?: string;
}

export interface WeakPassword extends HealthItem {
  readonly score: StrengthScore;
  readonly reason: WeakReason;
}

/** Items sharing one password (two or more). */
export interface ReusedPassword {
  readonly items: readonly HealthItem[];
}

export interface OldPassword extends HealthItem {
  /** When the password was set, as far as the device can tell (`passwordChangedAt`). */
  readonly changedAt: string;
  readonly ageDays: number;
}

export interface PasswordHealthReport {
  /** Items that have a password, the ones the report looked at. */
  readonly checked: number;
  readonly weak: readonly WeakPassword[];
  readonly reused: readonly ReusedPassword[];
  readonly old: readonly OldPassword[];
}

/** A password unchanged for more than this many days is reported as old. */
export const OLD_PASSWORD_DAYS = 365;

const DAY_MS = 24 * 3600_000;

/**
 * When the item's current password was set: the newest `replacedAt` of its password history,
 * otherwise the item's last change (an edit of another field makes the password look newer
 * than it is, never older).
 */
export function passwordChangedAt(item: Pick<HealthCheckedItem, 'updatedAt' | 'passwordHistory'>): string {
  const replaced = (item.passwordHistory ?? []).map((h) => Date.parse(h.replacedAt)).filter((t) => Number.isFinite(t));
  return replaced.length > 0 ? new Date(Math.max(...replaced)).toISOString() : item.updatedAt;
}

const named = (item: HealthCheckedItem): HealthItem => ({
  itemId: item.id,
  vaultId: item.vaultId,
  title: item.title,
  ...(item.username !== undefined && item.username !== '' ? { username: item.username } : {}),
});

const byTitle = (a: HealthItem, b: HealthItem) => a.title.localeCompare(b.title) || a.itemId.localeCompare(b.itemId);

export interface HealthOptions {
  /** The time the ages are measured at (default: now). */
  readonly now?: Date;
  /** The strength estimate (default: `estimatePasswordStrength`). */
  readonly estimate?: (password: string) => Pick<PasswordStrengthEstimate, 'score' | 'reason'>;
}

/** The report over `items` (every vault's live items, as the SDK lists them). Items without a password are left out. */
export function passwordHealthReport(items: readonly HealthCheckedItem[], options: HealthOptions = {}): PasswordHealthReport {
  const now = (options.now ?? new Date()).getTime();
  const estimate = options.estimate ?? estimatePasswordStrength;
  const withPassword = items.filter((i): i is HealthCheckedItem & { password: string } => typeof i.password === 'string' && i.password !== '');

  const weak: WeakPassword[] = [];
  const strengthOf = new Map<string, Pick<PasswordStrengthEstimate, 'score' | 'reason'>>();
  const sharing = new Map<string, HealthCheckedItem[]>();
  const old: OldPassword[] = [];
  for (const item of withPassword) {
    let strength = strengthOf.get(item.password);
    if (strength === undefined) {
      strength = estimate(item.password);
      strengthOf.set(item.password, strength);
    }
    if (strength.score < STRONG_ENOUGH_SCORE) weak.push({ ...named(item), score: strength.score, reason: strength.reason ?? 'predictable' });

    sharing.set(item.password, [...(sharing.get(item.password) ?? []), item]);

    const changedAt = passwordChangedAt(item);
    const ageDays = Math.floor((now - Date.parse(changedAt)) / DAY_MS);
    if (ageDays > OLD_PASSWORD_DAYS) old.push({ ...named(item), changedAt, ageDays });
  }

  const reused = [...sharing.values()]
    .filter((group) => group.length > 1)
    .map((group) => ({ items: group.map(named).sort(byTitle) }))
    .sort((a, b) => b.items.length - a.items.length || byTitle(a.items[0]!, b.items[0]!));
  return {
    checked: withPassword.length,
    weak: weak.sort((a, b) => a.score - b.score || byTitle(a, b)),
    reused,
    old: old.sort((a, b) => b.ageDays - a.ageDays || byTitle(a, b)),
  };
}
