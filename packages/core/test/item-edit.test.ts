/** Edits: changes over the edited item, and the password history they keep. */
import { describe, expect, it } from 'vitest';
import { applyItemChanges } from '../src/item-edit.ts';
import { PASSWORD_HISTORY_LIMIT, type ItemFields } from '../src/item-fields.ts';

const login: ItemFields = { kind: 'login', title: 'Mail', username: 'alice', password: 'first-password' };
const t1 = new Date('2026-03-01T10:00:00.000Z');
const t2 = new Date('2026-04-01T10:00:00.000Z');

describe('applyItemChanges', () => {
  it('keeps the replaced password with the time it was replaced, newest first', () => {
    const second = applyItemChanges(login, { password: 'second-password' }, t1);
    const third = applyItemChanges(second, { password: 'third-password' }, t2);
    expect(third.password).toBe('third-password');
    expect(third.passwordHistory).toEqual([
      { password: 'second-password', replacedAt: t2.toISOString() },
      { password: 'first-password', replacedAt: t1.toISOString() },
    ]);
  });

  it('adds nothing when the password stays, was empty, or the edit touches other fields', () => {
    expect(applyItemChanges(login, { title: 'Mail 2' }, t1).passwordHistory).toBeUndefined();
    expect(applyItemChanges(login, { password: 'first-password' }, t1).passwordHistory).toBeUndefined();
    expect(applyItemChanges({ ...login, password: '' }, { password: 'new' }, t1).passwordHistory).toBeUndefined();
    expect(applyItemChanges({ kind: 'login', title: 'x' }, { password: 'new' }, t1).passwordHistory).toBeUndefined();
  });

  it('keeps the password when it is removed', () => {
    const out = applyItemChanges(login, { password: undefined }, t1);
    expect(out.password).toBeUndefined();
    expect(out.passwordHistory).toEqual([{ password: 'first-password', replacedAt: t1.toISOString() }]);
  });

  it('removes fields set to undefined and keeps the rest', () => {
    const out = applyItemChanges({ ...login, tags: ['a'], favourite: true, notes: 'n' }, { notes: undefined, favourite: false }, t1);
    expect(out).toEqual({ kind: 'login', title: 'Mail', username: 'alice', password: 'first-password', tags: ['a'] });
  });

  it('forgets the oldest beyond the limit', () => {
    let item = login;
    for (let i = 0; i < PASSWORD_HISTORY_LIMIT + 5; i++) item = applyItemChanges(item, { password: `p${i}` }, new Date(t1.getTime() + i * 1000));
    expect(item.passwordHistory).toHaveLength(PASSWORD_HISTORY_LIMIT);
    expect(item.passwordHistory?.[0]?.password).toBe(`p${PASSWORD_HISTORY_LIMIT + 3}`);
    expect(item.passwordHistory?.some((e) => e.password === 'first-password')).toBe(false);
  });

  it('a change that clears the history clears it (and the replaced password starts the new one)', () => {
    const withHistory = applyItemChanges(login, { password: 'second' }, t1);
    expect(applyItemChanges(withHistory, { passwordHistory: undefined }, t2).passwordHistory).toBeUndefined();
    expect(applyItemChanges(withHistory, { passwordHistory: [], password: 'third' }, t2).passwordHistory).toEqual([
      { password: 'second', replacedAt: t2.toISOString() },
    ]);
  });
});
