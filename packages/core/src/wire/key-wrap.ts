/**
 * A signed key wrap on the wire (see `key-wrap.ts`): what the server stores per recipient and
 * hands back. The purpose, the subject and the recipient's public key are not sent: the
 * verifying client supplies them from where the wrap is used and from keys it trusts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Base64Url, Uuid, strictObject } from './common.ts';

/** What a client sends: only signed wraps of the current version are accepted. */
export const KeyWrapInput = strictObject({
  version: Type.Integer({ minimum: 1, maximum: 1, description: 'The signed-wrap format; 1 today.' }),
  recipientKeysetId: Uuid,
  ciphertext: Base64Url(256),
  signerKeysetId: Uuid,
  signature: Base64Url(86),
});
export type KeyWrapInput = Static<typeof KeyWrapInput>;

/**
 * A signed wrap of format 2 (group and organization keysets: the key version and the wrapped
 * keyset are in the statement, docs/protocol.md §22.6), as a client sends it.
 */
export const VersionedKeyWrapInput = strictObject({
  version: Type.Integer({ minimum: 2, maximum: 2, description: 'The signed-wrap format for group and organization keysets: 2.' }),
  recipientKeysetId: Uuid,
  ciphertext: Base64Url(256),
  signerKeysetId: Uuid,
  signature: Base64Url(86),
});
export type VersionedKeyWrapInput = Static<typeof VersionedKeyWrapInput>;

/**
 * What the server returns. Looser than the input on purpose: a wrap stored before signatures
 * existed (version 0, no signer, no signature) still reaches the client, which refuses it with
 * `untrusted_key` instead of failing on the response's shape.
 */
export const KeyWrap = Type.Object({
  version: Type.Integer(),
  recipientKeysetId: Uuid,
  ciphertext: Type.String(),
  signerKeysetId: Type.String(),
  signature: Type.String(),
});
export type KeyWrap = Static<typeof KeyWrap>;
