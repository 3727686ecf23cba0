/**
 * Changing the account password or the Secret Key while signed in. The client re-registers
 * OPAQUE with the new input and re-wraps the keyset's symmetric key under the new Account
 * Unlock Key; the server swaps record, verifier and wrapped key in one transaction, so after a
 * crash the account opens with either the old or the new credentials, never neither.
 *
 * Both steps need a recent re-authentication (a `ReauthenticatedSession`, checked by the route
 * layer); the swap also needs, with two-step verification
 * on, a proof by an enrolled factor: a thief with a session and the password must not be able to
 * shut the owner out by changing what they sign in with.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { opaqueServer } from '@latchkey/core/opaque';
import type { CredentialsChangeFinishRequest, CredentialsChangeFinishResponse } from '@latchkey/core/wire/auth';
import type { RequestMeta, ServerContext } from '../context.ts';
import { findUserById, replaceCredentials } from '../repositories/users.ts';
import { deleteOtherSessions } from '../repositories/sessions.ts';
import { deleteLoginAttemptsForUser } from '../repositories/login-attempts.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import type { ReauthenticatedSession } from './sessions.ts';
import { pausePoint } from '../testing/pause-points.ts';
import { requireFactorProofIfOn } from './two-step-proof.ts';
import { requireUsableRegistrationRecord } from './registration-record.ts';

export function startCredentialsChange(ctx: ServerContext, session: ReauthenticatedSession, registrationRequest: string): string {
  try {
    return opaqueServer.createRegistrationResponse({ serverSetup: ctx.opaqueServerSetup, userIdentifier: session.userId, registrationRequest });
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The registration request is malformed.', { cause });
  }
}

export async function finishCredentialsChange(
  ctx: ServerContext,
  session: ReauthenticatedSession,
  meta: RequestMeta,
  body: CredentialsChangeFinishRequest,
): Promise<CredentialsChangeFinishResponse> {
  // The record first: a broken upload must not cost the person a one-time code.
  requireUsableRegistrationRecord(ctx, session.userId, body.registrationRecord);
  await requireFactorProofIfOn(ctx, meta, session.userId, body);
  const now = ctx.clock();
  const { signedOut } = await transactionWithNotices(ctx, async (tx) => {
    const user = await findUserById(tx, session.userId);
    if (user === undefined) throw new LatchkeyError('unauthenticated', 'This account no longer exists.');
    await replaceCredentials(
      tx,
      session.userId,
      {
        accountId: body.accountId,
        opaqueRecord: body.registrationRecord,
        secretKeyVerifier: body.secretKeyVerifier,
        encryptedSymmetricKey: body.encryptedSymmetricKey,
      },
      now,
    );
    await pausePoint('credentials-swap:swapped');
    const signedOut = await deleteOtherSessions(tx, session.userId, session.id);
    // A sign-in or re-authentication started before the swap runs on the old record: end it.
    await deleteLoginAttemptsForUser(tx, session.userId);
    await recordSecurityEvent(tx, {
      userId: session.userId,
      type: body.reason === 'password' ? 'password.changed' : 'secret-key.changed',
      detail: { signedOutSessions: signedOut },
      ip: meta.ip,
      now,
    });
    await queueNotice(ctx, tx, user.email, { kind: 'credentials-changed', what: body.reason, signedOut, at: now.toISOString(), ip: meta.ip });
    await pausePoint('credentials-swap:before-commit');
    return { signedOut };
  });
  return { signedOutSessions: signedOut };
}
