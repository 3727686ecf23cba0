/**
 * Checks an OPAQUE registration record before it is stored (sign-up, credential change,
 * recovery). The wire schema fixes its shape (192 bytes); this asks the OPAQUE library whether
 * it can use it, so a broken or hostile upload is refused up front instead of leaving an
 * account whose every later sign-in fails half-way.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { opaqueServer } from '@latchkey/core/opaque';
import type { ServerContext } from '../context.ts';

/** @throws LatchkeyError `invalid_registration_record` when the library refuses the record. */
export function requireUsableRegistrationRecord(ctx: ServerContext, userId: string, registrationRecord: string): void {
  if (!opaqueServer.acceptsRegistrationRecord({ serverSetup: ctx.opaqueServerSetup, registrationRecord, userIdentifier: userId })) {
    throw new LatchkeyError('invalid_registration_record', 'The registration record is not a valid OPAQUE record. Start again.');
  }
}
