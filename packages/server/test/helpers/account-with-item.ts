/**
 * Test helper: an account signed up through the SDK with one item in its personal vault, plus
 * what raw-request tests address it by (credentials, session token, vault and item ids), so a
 * test can aim well-formed or malformed requests at real rows of a known owner.
 *
 *   const a = await signUpWithItem(server, (user) => ({ kind: 'login', title: 'Bank', username: user.email, password: 'secret' }));
 *   await send(server, { method: 'GET', path: `/api/vaults/${a.vaultId}/items/${a.itemId}`, token: a.token });
 */
import type { ItemId, VaultId } from '@latchkey/core/ids';
import type { ItemFields } from '@latchkey/core/item';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { type Credentials, signUpUser, type TestServer, type TestUser } from '@latchkey/server/testing';

export interface AccountWithItem {
  readonly user: TestUser;
  readonly credentials: Credentials;
  readonly profile: AccountProfile;
  /** The SDK session's bearer token. */
  readonly token: string;
  /** The personal vault, holding the item. */
  readonly vaultId: VaultId;
  readonly itemId: ItemId;
}

/** Signs a user up and creates one item, `item(user)`, in the personal vault. */
export async function signUpWithItem(server: TestServer, item: (user: TestUser) => ItemFields): Promise<AccountWithItem> {
  const user = await signUpUser(server);
  const profile = await user.client.whoami();
  const [vault] = await user.client.vaults.list();
  const created = await user.client.items.create(vault!.id, item(user));
  const token = (await user.store.read()).session!.token;
  return {
    user,
    credentials: { email: user.email, password: user.password, secretKey: user.secretKey },
    profile,
    token,
    vaultId: vault!.id,
    itemId: created.id,
  };
}
