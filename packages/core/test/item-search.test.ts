/** Search and filters over decrypted items. */
import { describe, expect, it } from 'vitest';
import type { ItemFields } from '../src/item-fields.ts';
import { filterItems, itemMatches, tagsInUse } from '../src/item-search.ts';

const items: ItemFields[] = [
  { kind: 'login', title: 'GitHub', username: 'alice@example.org', password: 'secret-gh', urls: ['https://github.com/login'], tags: ['Work'], favourite: true },
  { kind: 'note', title: 'Wi-Fi', notes: 'Router in the hall, network Kestrel', tags: ['home'] },
  { kind: 'card', title: 'Visa', card: { number: '4111 1111 1111 1111', cardholder: 'Alice' }, tags: ['money', 'work'] },
  { kind: 'login', title: 'Bank', username: 'a.example', password: 'hunter2', fields: [{ label: 'PIN', kind: 'hidden', value: '8642' }] },
];
const titles = (found: ItemFields[]) => found.map((i) => i.title);

describe('item search', () => {
  it('finds by title, username, URL, notes and tag, case-insensitively', () => {
    expect(titles(filterItems(items, { search: 'github' }))).toEqual(['GitHub']);
    expect(titles(filterItems(items, { search: 'A.EXAMPLE' }))).toEqual(['Bank']);
    expect(titles(filterItems(items, { search: 'github.com/login' }))).toEqual(['GitHub']);
    expect(titles(filterItems(items, { search: 'kestrel' }))).toEqual(['Wi-Fi']);
    expect(titles(filterItems(items, { search: 'money' }))).toEqual(['Visa']);
  });

  it('needs every word somewhere', () => {
    expect(titles(filterItems(items, { search: 'alice work' }))).toEqual(['GitHub']);
    expect(titles(filterItems(items, { search: 'alice home' }))).toEqual([]);
  });

  it('never matches secrets: passwords, hidden fields, card numbers', () => {
    for (const secret of ['hunter2', 'secret-gh', '8642', '4111']) expect(filterItems(items, { search: secret })).toEqual([]);
  });

  it('an empty search matches everything; a search for nothing there matches nothing', () => {
    expect(filterItems(items, { search: '   ' })).toHaveLength(items.length);
    expect(filterItems(items, {})).toHaveLength(items.length);
    expect(filterItems(items, { search: 'zebra' })).toEqual([]);
  });

  it('filters by tag (whole tag, any case) and favourites, together with a search', () => {
    expect(titles(filterItems(items, { tag: 'WORK' }))).toEqual(['GitHub', 'Visa']);
    expect(titles(filterItems(items, { tag: 'wor' }))).toEqual([]);
    expect(titles(filterItems(items, { favourite: true }))).toEqual(['GitHub']);
    expect(titles(filterItems(items, { tag: 'work', search: 'visa' }))).toEqual(['Visa']);
    expect(itemMatches(items[0]!, { tag: 'work', favourite: true, search: 'git' })).toBe(true);
  });

  it('lists the tags in use once each, sorted', () => {
    expect(tagsInUse(items)).toEqual(['home', 'money', 'Work']);
  });
});
