/** What each item kind is called in the web app, in the order the editor offers them. */
import type { ItemKind } from '@latchkey/core/item';

export const KIND_NAMES: Readonly<Record<ItemKind, string>> = {
  login: 'Login',
  password: 'Password',
  note: 'Secure note',
  card: 'Credit card',
  identity: 'Identity',
};

export const KINDS_IN_ORDER: readonly ItemKind[] = ['login', 'password', 'note', 'card', 'identity'];
