/**
 * Resolves secret references (`lk://vault/item/field`, core/secret-reference.ts) against the
 * vaults of an unlocked client: a vault or item by id, else by exact name, else by name in any
 * case when only one matches. Each vault's items are fetched and decrypted once per resolver.
 */
import type { Item, LatchkeyClient, Vault } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import type { SecretReference } from '@latchkey/core/secret-reference';
import { totpCode } from '@latchkey/core/totp-code';

function pick<T>(candidates: readonly T[], wanted: string, idOf: (t: T) => string, nameOf: (t: T) => string, what: string, where: string): T {
  const byId = candidates.find((c) => idOf(c) === wanted);
  if (byId !== undefined) return byId;
  const exact = candidates.filter((c) => nameOf(c) === wanted);
  const matches = exact.length > 0 ? exact : candidates.filter((c) => nameOf(c).toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new LatchkeyError('not_found', `No ${what} "${wanted}"${where}.`);
  throw new LatchkeyError('invalid_reference', `${matches.length} ${what}s are named "${wanted}"${where}: use its id in the reference instead.`);
}

export class ReferenceResolver {
  private readonly client: LatchkeyClient;
  private vaults: Promise<Vault[]> | undefined;
  private readonly items = new Map<string, Promise<Item[]>>();

  constructor(client: LatchkeyClient) {
    this.client = client;
  }

  async item(reference: SecretReference): Promise<Item> {
    this.vaults ??= this.client.vaults.list();
    const vault = pick(
      await this.vaults,
      reference.vault,
      (v) => v.id,
      (v) => v.name,
      'vault',
      '',
    );
    let items = this.items.get(vault.id);
    if (items === undefined) {
      items = this.client.items.list(vault.id);
      this.items.set(vault.id, items);
    }
    return pick(
      await items,
      reference.item,
      (i) => i.id,
      (i) => i.title,
      'item',
      ` in vault "${vault.name}"`,
    );
  }

  /** The field's value; `totp` is the current code. @throws `invalid_reference` when the item has no such field. */
  async resolve(reference: SecretReference): Promise<string> {
    const item = await this.item(reference);
    const value =
      reference.field === 'url'
        ? item.urls?.[0]
        : reference.field === 'totp'
          ? item.totp !== undefined
            ? totpCode(item.totp)
            : undefined
          : item[reference.field];
    if (value === undefined) throw new LatchkeyError('invalid_reference', `"${item.title}" has no ${reference.field} (${reference.text}).`);
    return value;
  }

  /** Resolves each distinct reference once, keyed by its text. */
  async resolveAll(references: readonly SecretReference[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const reference of references) if (!values.has(reference.text)) values.set(reference.text, await this.resolve(reference));
    return values;
  }
}
