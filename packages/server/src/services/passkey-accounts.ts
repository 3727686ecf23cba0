/**
 * Passkey accounts (docs/protocol.md §24.9, §24.10): sign-up with a passkey and no password, and
 * unlock by a passkey assertion that hands the device its sealed credential bundle. What follows
 * the unlock is the ordinary OPAQUE sign-in with the password and Secret Key the bundle derives.
 *
 * Protects against: a replayed assertion (each challenge is taken once), an assertion by another
 * account's passkey (credentials are looked up by the email's account), an assertion without user
 * verification, a cloned authenticator (the counter must move), a deauthorized device getting its
 * bundle (`device_not_trusted`), and telling which emails have accounts (options look the same
 * for every email; an unknown email fails as a wrong credential does).
 */
import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { AuthenticationResponseJSON, AuthenticatorTransportFuture, RegistrationResponseJSON } from '@simplewebauthn/server';
import { fromBase64Url, fromUtf8, toBase64Url, toBufferSource, utf8 } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ChallengeOptions } from '@latchkey/core/wire/two-step';
import type {
  PasskeyEnrollmentSessionRequest,
  PasskeyEnrollmentSessionResponse,
  PasskeySignupFinishRequest,
  PasskeyUnlockRequest,
  PasskeyUnlockResponse,
} from '@latchkey/core/wire/passkeys';
import type { SignupFinishResponse } from '@latchkey/core/wire/signup';
import type { RequestMeta, ServerContext } from '../context.ts';
import { takeChallengeByValue } from '../repositories/challenges.ts';
import { advancePasskeyCounter, findPasskey, insertPasskey } from '../repositories/passkeys.ts';
import { insertActiveRecoveryCode } from '../repositories/recovery-codes.ts';
import { recordDevice } from '../repositories/sessions.ts';
import { insertTrustedDevice, isTrustedDevice, takeSealedBundleForUnlock } from '../repositories/trusted-devices.ts';
import { findUserByEmail, type UserRow } from '../repositories/users.ts';
import { issueChallenge } from './challenges.ts';
import { emailOfTicket } from './email-verification.ts';
import { emailSourceBucket, enforceRateLimits, sourceKey } from './rate-limits.ts';
import { challengeOf, relyingParty, webauthn } from './security-keys.ts';
import { createSession } from './sessions.ts';
import { finishSignup, userIdForTicket } from './signup.ts';

const UNLOCK_CHALLENGE_TTL_MS = 2 * 60_000;
const UNLOCK_PURPOSE = 'passkey-unlock';
/** Looked up when the email has no account, so both cases do the same work. */
const NO_ACCOUNT = '00000000-0000-4000-8000-000000000000';

const invalidCredentials = () => new LatchkeyError('invalid_credentials', 'This passkey does not unlock this account.');

/** The sign-up challenge, bound to the single-use ticket: consuming the ticket spends it (§24.9). */
function signupChallenge(ticket: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`latchkey/v1/passkey-signup-challenge\u0000${ticket}`).digest());
}

export async function passkeySignupOptions(ctx: ServerContext, ticket: string): Promise<ChallengeOptions> {
  const email = await emailOfTicket(ctx, 'signup', ticket);
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: 'Latchkey',
    rpID: relyingParty(ctx).rpID,
    userName: email,
    userDisplayName: email,
    userID: toBufferSource(utf8(userIdForTicket(ticket))),
    challenge: toBufferSource(signupChallenge(ticket)),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

export async function finishPasskeySignup(ctx: ServerContext, meta: RequestMeta, body: PasskeySignupFinishRequest): Promise<SignupFinishResponse> {
  await emailOfTicket(ctx, 'signup', body.ticket);
  const { rpID, origin } = relyingParty(ctx);
  let credential: { id: string; publicKey: Uint8Array; counter: number; transports?: AuthenticatorTransportFuture[] };
  try {
    const verification = await (await webauthn()).verifyRegistrationResponse({
      response: body.passkey as unknown as RegistrationResponseJSON,
      expectedChallenge: toBase64Url(signupChallenge(body.ticket)),
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
    if (!verification.verified) throw new Error('not verified');
    credential = verification.registrationInfo.credential;
  } catch (cause) {
    throw new LatchkeyError('invalid_code', 'The passkey could not be verified (it must be created with user verification, for this sign-up).', { cause });
  }
  const { passkey: _attestation, sealedBundle, recoveryCode, ...signup } = body;
  return finishSignup(ctx, meta, signup, {
    unlockMethod: 'passkey',
    inTransaction: async (tx, userId, now) => {
      await insertPasskey(tx, {
        id: credential.id,
        userId,
        publicKey: toBase64Url(credential.publicKey),
        counter: credential.counter,
        transports: (credential.transports ?? []).join(','),
        now,
      });
      await insertTrustedDevice(tx, { userId, deviceId: body.device.id, name: body.device.name, platform: body.device.platform, sealedBundle, now });
      await insertActiveRecoveryCode(tx, { id: randomUUID(), userId, ...recoveryCode, now });
    },
  });
}

/** The same options for every email; a challenge is stored only for a passkey account (§24.10). */
export async function passkeyUnlockOptions(ctx: ServerContext, meta: RequestMeta, email: string): Promise<ChallengeOptions> {
  await enforceRateLimits(ctx, [
    ['signInPerSource', sourceKey(meta)],
    ['signInFailuresPerEmailSource', emailSourceBucket(email, meta)],
  ]);
  const { generateAuthenticationOptions } = await webauthn();
  // No allowCredentials: listing an account's credential ids would tell who has an account.
  const options = await generateAuthenticationOptions({ rpID: relyingParty(ctx).rpID, allowCredentials: [], userVerification: 'required' });
  const user = await findUserByEmail(ctx.db, email);
  if (user?.unlockMethod === 'passkey') {
    await issueChallenge(ctx, { userId: user.id, purpose: UNLOCK_PURPOSE, challenge: options.challenge, ttlMs: UNLOCK_CHALLENGE_TTL_MS });
  }
  return options;
}

/**
 * Checks a passkey assertion over a live unlock challenge of the email's account (§24.10 step 2):
 * rate limits, the challenge taken once (a bad signature spends it too), user verification, the
 * counter, the user handle. @returns the account. @throws `invalid_credentials`, `challenge_expired`, `rate_limited`.
 */
async function verifyPasskeyAssertion(ctx: ServerContext, meta: RequestMeta, email: string, response: Record<string, unknown>): Promise<UserRow> {
  await enforceRateLimits(ctx, [
    ['signInPerSource', sourceKey(meta)],
    ['signInFailuresPerEmailSource', emailSourceBucket(email, meta)],
  ]);
  const user = await findUserByEmail(ctx.db, email);
  const credentialId = typeof response.id === 'string' ? response.id : '';
  const passkey = await findPasskey(ctx.db, user?.id ?? NO_ACCOUNT, credentialId);
  if (user === undefined || passkey === undefined) throw invalidCredentials();
  // Taken (and committed) before the signature is checked: a bad signature spends the challenge too.
  const challenge = challengeOf(response as { response?: { clientDataJSON?: unknown } });
  const now = ctx.clock();
  if ((await takeChallengeByValue(ctx.db, { userId: user.id, purpose: UNLOCK_PURPOSE, challenge, now })) === undefined) {
    throw new LatchkeyError('challenge_expired', 'This passkey request expired or was already used. Try again.');
  }
  const { rpID, origin } = relyingParty(ctx);
  let newCounter: number;
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: passkey.id,
        publicKey: fromBase64Url(passkey.publicKey) as Uint8Array<ArrayBuffer>,
        counter: passkey.counter,
        ...(passkey.transports ? { transports: passkey.transports.split(',') as AuthenticatorTransportFuture[] } : {}),
      },
      requireUserVerification: true,
    });
    if (!result.verified) throw invalidCredentials();
    newCounter = result.authenticationInfo.newCounter;
  } catch {
    throw invalidCredentials();
  }
  const userHandle = (response.response as { userHandle?: unknown } | undefined)?.userHandle;
  if (typeof userHandle === 'string' && userHandle !== '' && fromUtf8(fromBase64Url(userHandle)) !== user.id) throw invalidCredentials();
  if (!(await advancePasskeyCounter(ctx.db, user.id, passkey.id, newCounter, now))) throw invalidCredentials();
  return user;
}

export async function unlockWithPasskey(ctx: ServerContext, meta: RequestMeta, body: PasskeyUnlockRequest): Promise<PasskeyUnlockResponse> {
  const user = await verifyPasskeyAssertion(ctx, meta, body.email, body.response);
  const now = ctx.clock();
  const sealedBundle = await takeSealedBundleForUnlock(ctx.db, user.id, body.deviceId, now);
  if (sealedBundle === undefined) {
    throw new LatchkeyError('device_not_trusted', 'This device is not a trusted device of the account (it was never enrolled, or it was deauthorized).');
  }
  return { userId: user.id, sealedBundle };
}

/**
 * A new device proved the passkey (§24.7): it gets an enrollment session, which only the
 * enrollment relay accepts, so the passkey alone opens nothing but the asking. A device that is
 * already trusted unlocks instead (`conflict`).
 */
export async function passkeyEnrollmentSession(
  ctx: ServerContext,
  meta: RequestMeta,
  body: PasskeyEnrollmentSessionRequest,
): Promise<PasskeyEnrollmentSessionResponse> {
  const user = await verifyPasskeyAssertion(ctx, meta, body.email, body.response);
  if (await isTrustedDevice(ctx.db, user.id, body.device.id)) {
    throw new LatchkeyError('conflict', 'This device is already trusted: unlock it with the passkey instead.');
  }
  const now = ctx.clock();
  const session = await ctx.db.transaction().execute(async (tx) => {
    // Names the device in the trusted devices' list of pending enrollments.
    await recordDevice(tx, user.id, body.device, now);
    return createSession(ctx, tx, { userId: user.id, device: body.device, meta, reauthenticated: false, token: 'server-chosen', kind: 'enrollment' });
  });
  return { userId: user.id, session };
}
