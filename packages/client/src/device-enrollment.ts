/**
 * Enrolling a new device of a passkey account from a trusted one (docs/protocol.md §24.4, §24.7),
 * both sides, over the server's relay:
 *
 *   new device                                    trusted device
 *   requestEnrollment(): passkey → enrollment session, asks
 *                                                 pendingEnrollments(), approveEnrollment(id):
 *                                                   passkey → own bundle, approve, show the code
 *   enterCode(code): CPace message 1  ──▶          answer (message 2) ◀──
 *   check Tb, message 3  ──▶                       check Ta, message 4 (the bundle under the CPace key)
 *   open it, seal it under a new device key, finish (the server makes this device trusted), sign in
 *
 * The code never reaches the server; the server relays shares, tags and one ciphertext, so it can
 * neither read the bundle nor test a code offline. One enrollment is one CPace run: a wrong code
 * fails key confirmation on both sides and ends the run (the new device asks `again()`, and the
 * trusted device approves the new request and shows a new code). The code is parsed before any
 * message is sent, so a typo (check character) spends nothing.
 *
 * Protects against: a server (or anyone relaying) learning the bundle or the code, a second run
 * on one code, a trusted device sending the bundle before the code is confirmed (message 4 only
 * after Ta verifies), the bundle lingering in memory (wiped after use).
 */
import { concatBytes, fromBase64Url, randomBytes, toBase64Url, wipe } from '@latchkey/core/bytes';
import { sealDeviceCredentialBundle } from '@latchkey/core/device-credential-bundle';
import {
  acceptEnrollment,
  answerEnrollment,
  confirmEnrollment,
  type EnrollmentContext,
  openEnrollmentBundle,
  sealEnrollmentBundle,
  startEnrollment,
} from '@latchkey/core/device-enrollment';
import { generateEnrollmentCode, parseEnrollmentCode, type EnrollmentCode } from '@latchkey/core/enrollment-code';
import { LatchkeyError } from '@latchkey/core/errors';
import { decodeCredentialBundle } from '@latchkey/core/passkey-account';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { DeviceEnrollment } from '@latchkey/core/wire/device-enrollment';
import { endpoints } from '@latchkey/core/wire/endpoints';
import { deviceForRequest, deviceId, type ClientContext } from './context.ts';
import type { ApiClient } from './http.ts';
import { asDeviceKey, openOwnBundle, signInWithCredentials, type DeviceKeyProvider, type PasskeyAuthenticator } from './passkeys.ts';
import { requireSession, type SignInParams } from './sign-in.ts';

const DEFAULT_POLL_MS = 1_000;

export interface EnrollmentPolling {
  /** How often to look for the other device's next message (default 1 s); waiting ends with the enrollment's expiry. */
  readonly pollIntervalMs?: number;
}

export interface RequestEnrollment extends EnrollmentPolling {
  readonly email: string;
  readonly authenticator: PasskeyAuthenticator;
  /** Where the new device key goes once the bundle has arrived. */
  readonly deviceKeys: DeviceKeyProvider;
  readonly twoStep?: SignInParams['twoStep'];
}

/** The new device's side of one enrollment. */
export interface NewDeviceEnrollment {
  readonly enrollmentId: string;
  readonly expiresAt: string;
  /** Resolves once a trusted device has approved this enrollment (it then shows the code). */
  waitForApproval(): Promise<{ readonly trustedDeviceId: string }>;
  /**
   * Runs CPace with the code the person typed; on success this device is trusted and signed in.
   * @throws `enrollment_code_malformed` / `enrollment_code_typo` (nothing spent: type it again),
   *   `cpace_confirmation_failed` (a wrong code: this enrollment is over, ask `again()`),
   *   `code_expired`, `cpace_state_used` (called twice).
   */
  enterCode(code: string): Promise<AccountProfile>;
  /** A new enrollment on the same enrollment session, after a wrong code (the trusted device approves it and shows a new code). */
  again(): Promise<NewDeviceEnrollment>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Looks at one enrollment until `ready` says what it waited for; `code_expired` once it is gone or past its expiry. */
async function waitFor<T>(api: ApiClient, enrollmentId: string, polling: EnrollmentPolling, ready: (e: DeviceEnrollment) => T | undefined): Promise<T> {
  for (;;) {
    const found = (await api.call(endpoints.listDeviceEnrollments)).enrollments.find((e) => e.enrollmentId === enrollmentId);
    if (found === undefined) throw new LatchkeyError('code_expired', 'This enrollment has ended or expired: start again on the new device.');
    const value = ready(found);
    if (value !== undefined) return value;
    if (Date.parse(found.expiresAt) <= Date.now()) throw new LatchkeyError('code_expired', 'This enrollment has expired: start again on the new device.');
    await sleep(polling.pollIntervalMs ?? DEFAULT_POLL_MS);
  }
}

const contextOf = (accountId: string, e: DeviceEnrollment, trustedDeviceId: string): EnrollmentContext => ({
  accountId,
  newDeviceId: e.newDeviceId,
  trustedDeviceId,
  sessionId: e.enrollmentId,
});

/**
 * The new device: a passkey assertion gets an enrollment session (which only the relay accepts),
 * and the device asks to be enrolled; every trusted device is told.
 * @throws `invalid_credentials`, `conflict` (this device is already trusted: unlock instead), `rate_limited`.
 */
export async function requestEnrollment(ctx: ClientContext, params: RequestEnrollment): Promise<NewDeviceEnrollment> {
  const options = await ctx.api.call(endpoints.passkeyUnlockOptions, { email: params.email });
  const response = await params.authenticator.get(options);
  const device = await deviceForRequest(ctx);
  const { userId, session } = await ctx.api.call(endpoints.passkeyEnrollmentSession, { email: params.email, device, response });
  if (session.token === undefined) throw new LatchkeyError('invalid_server_response', 'The server did not return an enrollment session.');
  // Not remembered as this device's session: it opens nothing but the relay, for 10 minutes.
  const api = ctx.api.withToken(session.token);
  return newDeviceEnrollment(ctx, api, userId, params);
}

async function newDeviceEnrollment(ctx: ClientContext, api: ApiClient, userId: string, params: RequestEnrollment): Promise<NewDeviceEnrollment> {
  const { enrollment } = await api.call(endpoints.requestDeviceEnrollment, {});
  const enrollmentId = enrollment.enrollmentId;
  let started = false;
  const waitForApproval = () => waitFor(api, enrollmentId, params, (e) => (e.trustedDeviceId === null ? undefined : { trustedDeviceId: e.trustedDeviceId }));

  return {
    enrollmentId,
    expiresAt: enrollment.expiresAt,
    waitForApproval,
    again: () => newDeviceEnrollment(ctx, api, userId, params),
    async enterCode(typed) {
      const code = parseEnrollmentCode(typed);
      if (started) throw new LatchkeyError('cpace_state_used', 'This enrollment has had its one try: ask again for a new code.');
      started = true;
      const { trustedDeviceId } = await waitForApproval();
      const context = contextOf(userId, enrollment, trustedDeviceId);
      const a = startEnrollment(code, context);
      await api.call(endpoints.relayDeviceEnrollmentMessage, { enrollmentId, step: 1, message: a.message.share });
      const reply = fromBase64Url(await waitFor(api, enrollmentId, params, (e) => e.reply ?? undefined));

      let confirmed: ReturnType<typeof confirmEnrollment>;
      try {
        confirmed = confirmEnrollment(a.state, { share: toBase64Url(reply.subarray(0, 32)), confirmation: toBase64Url(reply.subarray(32)) });
      } catch (error) {
        // End the run on the trusted device too: a tag nobody computed fails its check at once,
        // so it stops waiting and offers a new code. Best effort: the enrollment expires anyway.
        await api.call(endpoints.relayDeviceEnrollmentMessage, { enrollmentId, step: 3, message: toBase64Url(randomBytes(64)) }).catch(() => undefined);
        throw error;
      }
      const { isk } = confirmed;
      let bundle: Uint8Array | undefined;
      try {
        await api.call(endpoints.relayDeviceEnrollmentMessage, { enrollmentId, step: 3, message: confirmed.message.confirmation });
        const sealed = await waitFor(api, enrollmentId, params, (e) => e.bundle ?? undefined);
        bundle = await openEnrollmentBundle(isk, context, sealed);
        const credentials = decodeCredentialBundle(bundle);
        const id = await deviceId(ctx);
        const sealedBundle = await sealDeviceCredentialBundle(await asDeviceKey(await params.deviceKeys.create()), { accountId: userId, deviceId: id }, bundle);
        await api.call(endpoints.finishDeviceEnrollment, { enrollmentId, sealedBundle });
        return await signInWithCredentials(ctx, { email: params.email, userId, credentials, ...(params.twoStep ? { twoStep: params.twoStep } : {}) });
      } finally {
        wipe(isk);
        if (bundle) wipe(bundle);
      }
    },
  };
}

/** An enrollment waiting for a trusted device, as a trusted device lists it. */
export interface PendingEnrollment {
  readonly enrollmentId: string;
  readonly deviceName: string;
  readonly platform: string;
  readonly expiresAt: string;
}

/** The account's enrollments no trusted device has approved yet (the new devices asking now). */
export async function pendingEnrollments(ctx: ClientContext): Promise<PendingEnrollment[]> {
  await requireSession(ctx);
  const me = await deviceId(ctx);
  return (await ctx.api.call(endpoints.listDeviceEnrollments)).enrollments
    .filter((e) => e.trustedDeviceId === null && e.newDeviceId !== me)
    .map((e) => ({ enrollmentId: e.enrollmentId, deviceName: e.newDeviceName, platform: e.newDevicePlatform, expiresAt: e.expiresAt }));
}

export interface ApproveEnrollment extends EnrollmentPolling {
  /** This device's passkey and key: approving opens this device's bundle, to send it on. */
  readonly authenticator: PasskeyAuthenticator;
  readonly deviceKeys: DeviceKeyProvider;
  /** The account's email; by default the signed-in session's. */
  readonly email?: string;
}

export interface ApprovedEnrollment {
  /** Show it to the person, who types it on the new device. */
  readonly code: EnrollmentCode;
  /**
   * Settles when the run is over: resolves once the bundle is on its way to the new device;
   * rejects `cpace_confirmation_failed` for a wrong code (approve the new device's next request
   * to show a new code), `code_expired`.
   */
  readonly completion: Promise<void>;
}

/**
 * The trusted device approves an enrollment: a passkey assertion opens this device's bundle
 * first (so approving needs the person here, with user verification), then the server makes this
 * device the enrollment's one trusted device, and a fresh code is drawn; `completion` runs this
 * side of CPace and sends the bundle only after the new device proved the same code.
 * @throws `device_not_trusted`, `code_used` (another device approved it), `not_found`, `code_expired`.
 */
export async function approveEnrollment(ctx: ClientContext, enrollmentId: string, params: ApproveEnrollment): Promise<ApprovedEnrollment> {
  const session = await requireSession(ctx);
  const email = params.email ?? session.email;
  const { userId, bundle } = await openOwnBundle(ctx, { email, authenticator: params.authenticator, deviceKeys: params.deviceKeys });
  let approved: DeviceEnrollment;
  try {
    approved = (await ctx.api.call(endpoints.approveDeviceEnrollment, { enrollmentId })).enrollment;
  } catch (error) {
    wipe(bundle);
    throw error;
  }
  const code = generateEnrollmentCode();
  const context = contextOf(userId, approved, await deviceId(ctx));
  const completion = (async () => {
    try {
      const share = await waitFor(ctx.api, enrollmentId, params, (e) => e.share ?? undefined);
      const b = answerEnrollment(code, context, { share });
      const reply = toBase64Url(concatBytes(fromBase64Url(b.message.share), fromBase64Url(b.message.confirmation)));
      await ctx.api.call(endpoints.relayDeviceEnrollmentMessage, { enrollmentId, step: 2, message: reply });
      const confirmation = await waitFor(ctx.api, enrollmentId, params, (e) => e.confirmation ?? undefined);
      const isk = acceptEnrollment(b.state, { confirmation });
      try {
        await ctx.api.call(endpoints.relayDeviceEnrollmentMessage, { enrollmentId, step: 4, message: await sealEnrollmentBundle(isk, context, bundle) });
      } finally {
        wipe(isk);
      }
    } finally {
      wipe(bundle);
    }
  })();
  return { code, completion };
}
