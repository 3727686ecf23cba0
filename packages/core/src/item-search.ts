/**
 * Finding items on the device: search over title, username, web addresses, notes and tags, and
 * the tag and favourite filters. It runs on decrypted items, so the server learns nothing of
 * what was searched for. Hidden values (passwords, hidden custom fields, card numbers) are
 * never searched: a search box is not a way to test guesses of a secret against the vault.
 */
import type { ItemFields } from './item-fields.ts';

export interface ItemFilter {
  /** Every word must appear (case-insensitively) in the title, username, a URL, the notes or a tag. */
  readonly search?: string;
  /** Only items with this tag (case-insensitive). */
  readonly tag?: string;
  /** Only favourites. */
  readonly favourite?: boolean;
}

const fold = (text: string) => text.normalize('NFKC').toLocaleLowerCase();

/** The words of a search, folded; an empty list matches everything. */
export function searchWords(search: string | undefined): string[] {
  return fold(search ?? '')
    .split(/\s+/)
    .filter((w) => w !== '');
}

function searchableText(item: ItemFields): string[] {
  return [item.title, item.username ?? '', ...(item.urls ?? []), item.notes ?? '', ...(item.tags ?? [])].map(fold);
}

export function itemMatches(item: ItemFields, filter: ItemFilter): boolean {
  if (filter.favourite === true && item.favourite !== true) return false;
  if (filter.tag !== undefined && filter.tag.trim() !== '') {
    const wanted = fold(filter.tag.trim());
    if (!(item.tags ?? []).some((t) => fold(t) === wanted)) return false;
  }
  const words = searchWords(filter.search);
  if (words.length === 0) return true;
  const texts = searchableText(item);
  return words.every((w) => texts.some((t) => t.includes(w)));
}

export function filterItems<T extends ItemFields>(items: readonly T[], filter: ItemFilter = {}): T[] {
  return items.filter((i) => itemMatches(i, filter));
}

/** Every tag in use, each once (first spelling wins), sorted for a person. */
export function tagsInUse(items: readonly ItemFields[]): string[] {
  const byFolded = new Map<string, string>();
  for (const item of items) for (const tag of item.tags ?? []) if (!byFolded.has(fold(tag))) byFolded.set(fold(tag), tag);
  return [...byFolded.values()].sort((a, b) => a.localeCompare(b));
}
