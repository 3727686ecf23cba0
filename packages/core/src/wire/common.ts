/**
 * Building blocks for the HTTP wire schemas. Every request body the server accepts is
 * validated against these (JSON Schema via TypeBox), and the SDK uses the same types, so a
 * field cannot mean one thing on one side and another on the other.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ItemId, SessionId, UserId, VaultId } from '../ids.ts';

export const Base64Url = (maxLength = 4096) => Type.String({ pattern: '^[A-Za-z0-9_-]*$', minLength: 1, maxLength });
export const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'A lowercase UUID.' });
/**
 * The id kinds (ids.ts): on the wire exactly `Uuid` (the same JSON Schema, so validation and the
 * OpenAPI document are unchanged); in `Static<>` each carries its brand.
 */
export const UserIdSchema = Type.Unsafe<UserId>(Uuid);
export const VaultIdSchema = Type.Unsafe<VaultId>(Uuid);
export const ItemIdSchema = Type.Unsafe<ItemId>(Uuid);
export const SessionIdSchema = Type.Unsafe<SessionId>(Uuid);
export const RandomId = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'An opaque random identifier.' });
export const Email = Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$', minLength: 3, maxLength: 254 });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const EmailCode = Type.String({ pattern: '^[0-9]{6,8}$' });
export const Timestamp = Type.String({ description: 'ISO 8601 date-time.' });
export const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** An OPAQUE registration record (ristretto255: client public key, masking key, envelope = 192 bytes). */
export const RegistrationRecord = Type.String({ pattern: '^[A-Za-z0-9_-]{256}$', description: 'An OPAQUE registration record, 192 bytes in base64url.' });

export const Otp = Type.String({ pattern: '^[0-9]{6}$' });
export const BackupCode = Type.String({ pattern: '^[2-9A-HJ-NP-Za-hj-np-z -]{10,20}$' });
/**
 * A proof by an enrolled two-step method, as optional fields of a request body: needed with
 * two-step verification on for every change that could lock the owner out (docs/protocol.md §16.6).
 */
export const FactorProofFields = {
  otp: Type.Optional(Otp),
  backupCode: Type.Optional(BackupCode),
  securityKey: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

export const Device = Type.Object(
  {
    id: RandomId,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    platform: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
export type Device = Static<typeof Device>;

export const EncryptedKeyset = Type.Object(
  {
    id: Uuid,
    encryptedSymmetricKey: Base64Url(),
    publicKey: Base64Url(64),
    encryptedPrivateKey: Base64Url(),
    signingPublicKey: Base64Url(64),
    encryptedSigningKey: Base64Url(),
  },
  { additionalProperties: false },
);
export type EncryptedKeyset = Static<typeof EncryptedKeyset>;

export const Empty = Type.Object({}, { additionalProperties: false });

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const strictObject = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { additionalProperties: false });
