/**
 * The password health report: weak, reused and old passwords found among decrypted items;
 * items without a password left out; the age from the password history when there is one;
 * the report names items and never holds a password.
 */
import { describe, expect, it } from 'vitest';
import { OLD_PASSWORD_DAYS, passwordChangedAt, passwordHealthReport, type HealthCheckedItem } from '../src/password-health.ts';

const NOW = new Date('2026-12-04T00:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 24 * 3600_000).toISOString();

let next = 0;
const item = (title: string, password: string | undefined, extra: Partial<HealthCheckedItem> = {}): HealthCheckedItem => ({
  id: `item-${++next}`,
  vaultId: 'vault-a',
  title,
  ...(password !== undefined ? { password } : {}),
  updatedAt: daysAgo(3),
  ...extra,
});

describe('passwordHealthReport', () => {
  it('finds weak passwords, weakest first, with the reason', () => {
    const report = passwordHealthReport(
      [item('Bank', 'N8v$Lq2#Zp9@Wm4!Rt6x'), item('Forum', 'password'), item('Wiki', 'Fluffy2015'), item('Router', 'x7#Kq')],
      { now: NOW },
    );
    expect(report.weak.map((w) => [w.title, w.reason])).toEqual([
      ['Forum', 'common'],
      ['Router', 'short'],
      ['Wiki', 'predictable'],
    ]);
    expect(report.checked).toBe(4);
  });

  it('groups items that share a password, across vaults, biggest group first; a password used once is not reused', () => {
    const shared = 'Kq7#mX2pWz4!Rt';
    const report = passwordHealthReport(
      [
        item('Mail', shared),
        item('Shop', 'tangerine Ox 4 velvet'),
        item('Chat', shared, { vaultId: 'vault-b', username: 'me@example.net' }),
        item('Game', 'Zebra lantern 81 quartz'),
        item('Forum', 'Zebra lantern 81 quartz'),
        item('Cloud', shared),
        item('Alike but not the same', 'kq7#mX2pWz4!Rt'),
      ],
      { now: NOW },
    );
    expect(report.reused.map((g) => g.items.map((i) => i.title))).toEqual([
      ['Chat', 'Cloud', 'Mail'],
      ['Forum', 'Game'],
    ]);
    expect(report.reused[0]!.items.find((i) => i.title === 'Chat')).toMatchObject({ vaultId: 'vault-b', username: 'me@example.net' });
    expect(report.weak).toEqual([]);
  });

  it('reports passwords unchanged for over a year, oldest first, with when they were set', () => {
    const report = passwordHealthReport(
      [
        item('Fresh', 'Kq7#mX2pWz4!Rt-1', { updatedAt: daysAgo(OLD_PASSWORD_DAYS) }),
        item('Older', 'Kq7#mX2pWz4!Rt-2', { updatedAt: daysAgo(OLD_PASSWORD_DAYS + 2) }),
        item('Oldest', 'Kq7#mX2pWz4!Rt-3', { updatedAt: daysAgo(1000) }),
      ],
      { now: NOW },
    );
    expect(report.old.map((o) => [o.title, o.ageDays, o.changedAt])).toEqual([
      ['Oldest', 1000, daysAgo(1000)],
      ['Older', OLD_PASSWORD_DAYS + 2, daysAgo(OLD_PASSWORD_DAYS + 2)],
    ]);
  });

  it('measures the age from the password history: an item edited lately with an old password is old, one whose password changed lately is not', () => {
    const editedLately = item('Notes edited', 'Kq7#mX2pWz4!Rt-4', {
      updatedAt: daysAgo(2),
      passwordHistory: [{ replacedAt: daysAgo(800) }, { replacedAt: daysAgo(500) }],
    });
    const changedLately = item('Password changed', 'Kq7#mX2pWz4!Rt-5', {
      updatedAt: daysAgo(2),
      passwordHistory: [{ replacedAt: daysAgo(2) }, { replacedAt: daysAgo(900) }],
    });
    expect(passwordChangedAt(editedLately)).toBe(daysAgo(500));
    expect(passwordChangedAt(item('No history', 'x', { updatedAt: daysAgo(7) }))).toBe(daysAgo(7));
    expect(passwordChangedAt({ updatedAt: daysAgo(7), passwordHistory: [{ replacedAt: 'not a date' }] })).toBe(daysAgo(7));
    const report = passwordHealthReport([editedLately, changedLately], { now: NOW });
    expect(report.old.map((o) => [o.title, o.ageDays])).toEqual([['Notes edited', 500]]);
  });

  it('leaves out items without a password, and never puts a password in the report', () => {
    const report = passwordHealthReport([item('Note', undefined), item('Empty', ''), item('Forum', 'password'), item('Forum 2', 'password')], { now: NOW });
    expect(report.checked).toBe(2);
    expect(report.weak).toHaveLength(2);
    expect(report.reused).toHaveLength(1);
    expect(JSON.stringify(report)).not.toContain('password');
    expect(passwordHealthReport([], { now: NOW })).toEqual({ checked: 0, weak: [], reused: [], old: [] });
  });

  it('takes another estimator (the one zxcvbn will give) and asks it once per distinct password', () => {
    const asked: string[] = [];
    const report = passwordHealthReport([item('A', 'same one'), item('B', 'same one'), item('C', 'other one')], {
      now: NOW,
      estimate: (p) => {
        asked.push(p);
        return p === 'other one' ? { score: 1, reason: 'simple' } : { score: 4 };
      },
    });
    expect(asked).toEqual(['same one', 'other one']);
    expect(report.weak.map((w) => [w.title, w.score, w.reason])).toEqual([['C', 1, 'simple']]);
  });
});
