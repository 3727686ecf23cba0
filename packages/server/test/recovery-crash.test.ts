/**
 * SPEC §5 invariant 5 for recovery with a recovery code (issue 4, "Must hold"): a crash (kill -9
 * of the server process) at any point of a recovery leaves the account openable with the old or
 * the new credentials, and no item is lost.
 *
 * A real server runs as a child process (`latchkey server`). A user who forgot their password and
 * Secret Key recovers from a fresh device through the SDK (start -> emailed code -> verify ->
 * prove -> register -> finish), and the server is SIGKILLed at one point of it: after the start
 * reply (before verify), after the verify reply (between verify and prove), after the prove reply
 * (between prove and register), as the register request is sent (a quick step: the kill may land
 * after its reply), after the register reply (the device then stores the new Secret Key as pending
 * and sends finish into a dead server), right as finish is sent, three times inside the finish
 * transaction for certain (half-way through the credential swap — users row updated, keyset not
 * yet —, after the swap but before the sessions are ended, and after every write but before the
 * commit: the server stops at a test pause point, or for the first two on PostgreSQL on a row
 * lock held from another connection, and only then is killed), at a delay into the finish
 * request that bisects towards the moment it commits (learnt from the earlier rounds, as
 * crash-atomicity.test.ts does), and after the finish reply. The server is restarted on the
 * same data and the test checks that
 *   - the account opens with exactly the credentials the crash point allows (old before finish was
 *     sent, new once it was confirmed, one of the two in between), signing in with a fresh client
 *     and explicit credentials (the new Secret Key taken from the recovering device's store, where
 *     it is pending or final);
 *   - the old session ended if and only if the new credentials are live (finish swaps credentials
 *     and ends sessions in one transaction);
 *   - every item is there with the same id, vault, version and decrypted content;
 *   - the recovery code still works afterwards (reusable): `check` accepts it, and when the old
 *     credentials are still live a new recovery with the same code completes and its credentials
 *     open the account with every item intact.
 * Rate limits (rate-limits.ts): recovery start is 5/hour per email and each round starts up to two
 * recoveries, so every account serves two rounds; sign-ins stay well under 20 per 5 minutes per
 * email, and the whole file under the 30 recovery starts and sign-ups per hour per source.
 * On SQLite every kill also exercises the embedded database's crash recovery (WAL replay) on restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatchkeyClient } from '@latchkey/client/client';
import { accountKey, MemoryStore } from '@latchkey/client/local-store';
import { LatchkeyError } from '@latchkey/core/errors';
import { extractCode, readOutbox, sdkClient, type ServerProcess, signUpUser, testDatabaseKind, waitForEmail } from '@latchkey/server/testing';
import {
  FinishTiming,
  ITEM_FIXTURES,
  fillTwoVaults,
  killDuring,
  lockRows,
  opensWith,
  snapshotItems,
  startCrashServer,
  type CrashServer,
  type ExpectedItem,
  type KillPoint,
  type KillSwitch,
  type Outcome,
} from './helpers/crash-rounds.ts';

const START = '/api/recovery/start';
const VERIFY = '/api/recovery/verify';
const PROVE = '/api/recovery/prove';
const REGISTER = '/api/recovery/register';
const FINISH = '/api/recovery/finish';

const BISECTION = (i: number): KillPoint => ({
  label: `while finish is handled (bisection ${i})`,
  path: FINISH,
  when: 'request',
  delay: (timing) => timing.bisect(),
  allowed: ['old', 'new'],
});

const KILL_POINTS: readonly KillPoint[] = [
  // First, so it measures the finish request's round trip for the bisection below.
  { label: 'after the client got the finish reply', path: FINISH, when: 'response', delay: () => 0, allowed: ['new'] },
  { label: 'after the start reply, before verify', path: START, when: 'response', delay: () => 0, allowed: ['old'] },
  { label: 'after the verify reply, before prove', path: VERIFY, when: 'response', delay: () => 0, allowed: ['old'] },
  { label: 'after the prove reply, before register', path: PROVE, when: 'response', delay: () => 0, allowed: ['old'] },
  { label: 'as the register request is sent', path: REGISTER, when: 'request', delay: () => 0, allowed: ['old'] },
  { label: 'after the register reply (new key pending, finish sent to a dead server)', path: REGISTER, when: 'response', delay: () => 0, allowed: ['old'] },
  { label: 'right as finish is sent', path: FINISH, when: 'request', delay: () => 0, allowed: ['old', 'new'] },
  // Inside the finish transaction for certain: half-way through the credential swap (users row
  // updated, keyset not yet) and after the swap but before the sessions end, held there by a row
  // lock from another connection on PostgreSQL and by a test pause point on SQLite; and with
  // every write done but before the commit, held by the pause point on both.
  ...(testDatabaseKind() === 'postgres'
    ? [
        {
          label: 'inside the finish transaction, half-way through the swap (blocked on the keyset row)',
          path: FINISH,
          when: 'request',
          delay: () => 0,
          lockTable: 'keysets',
          allowed: ['old'],
        } as const,
        {
          label: 'inside the finish transaction, after the swap, before sessions end (blocked on a session row)',
          path: FINISH,
          when: 'request',
          delay: () => 0,
          lockTable: 'sessions',
          allowed: ['old'],
        } as const,
      ]
    : [
        {
          label: 'inside the finish transaction, half-way through the swap (paused: users row updated, keyset not yet)',
          path: FINISH,
          when: 'request',
          delay: () => 0,
          pauseAt: 'credentials-swap:users-updated',
          allowed: ['old'],
        } as const,
        {
          label: 'inside the finish transaction, after the swap, before sessions end (paused)',
          path: FINISH,
          when: 'request',
          delay: () => 0,
          pauseAt: 'credentials-swap:swapped',
          allowed: ['old'],
        } as const,
      ]),
  {
    label: 'inside the finish transaction, every write done, before the commit (paused)',
    path: FINISH,
    when: 'request',
    delay: () => 0,
    pauseAt: 'credentials-swap:before-commit',
    allowed: ['old'],
  },
  BISECTION(1),
];
// 11 rounds on either database: each restarts the server (on SQLite with the embedded database's
// crash recovery), which dominates a round, so the file stays near a minute on a quiet machine.
/** Each account serves this many rounds (recovery start: 5 per hour per email, up to 2 per round). */
const ROUNDS_PER_ACCOUNT = 2;

/** The shared fixtures but the "Work VPN" login: the items these rounds have always used. */
const RECOVERY_ITEM_FIXTURES = ITEM_FIXTURES.filter((fields) => fields.title !== 'Work VPN');

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code;
    throw error;
  }
};

/** An account under test: its live credentials, a signed-in session on them, its recovery code and its items. */
interface Account {
  readonly email: string;
  readonly userId: string;
  readonly recoveryCode: string;
  readonly items: readonly ExpectedItem[];
  password: string;
  secretKey: string;
  /** A client signed in with the live credentials: its session must end exactly when a recovery swaps them. */
  session: LatchkeyClient;
}

describe(`recovery is atomic across a SIGKILL of the server (${testDatabaseKind()})`, () => {
  let rig: CrashServer | undefined;
  let dataDir: string;
  let databaseUrl: string | undefined;
  let server: ServerProcess;
  let killSwitch: KillSwitch;
  const summary: string[] = [];

  beforeAll(async () => {
    rig = await startCrashServer('latchkey-recovery-crash-', FINISH);
    ({ dataDir, databaseUrl, server, killSwitch } = rig);
  }, 180_000);

  afterAll(async () => {
    await rig?.stop();
    if (summary.length > 0) console.info(`recovery crash rounds (${testDatabaseKind()}):\n  ${summary.join('\n  ')}`);
  });

  /** Signs a user up, fills two vaults with items, and sets up and confirms a recovery code. */
  async function accountWithItemsAndCode(label: string): Promise<Account> {
    if (!server.running) await server.restart();
    const signedUp = await signUpUser({ url: server.url, dataDir }, { name: label });
    const { client } = signedUp;
    const items = await fillTwoVaults(client, RECOVERY_ITEM_FIXTURES);
    expect(new Set(items.map((i) => i.vaultId)).size).toBe(2);
    const { recoveryCode } = await client.recoveryCode.create();
    await client.recoveryCode.confirm(recoveryCode);
    expect(await client.recoveryCode.check(recoveryCode)).toBe(true);
    return { email: signedUp.email, userId: signedUp.userId, recoveryCode, items, password: signedUp.password, secretKey: signedUp.secretKey, session: client };
  }

  /** The code of the newest recovery email to `email` written at or after `since` (same clock as the server); undefined if none comes in time. */
  async function recoveryEmailCode(email: string, since: number, timeoutMs: number): Promise<string | undefined> {
    try {
      const mail = await waitForEmail(dataDir, { to: email, subjectIncludes: 'confirm a Latchkey account recovery', after: since }, timeoutMs);
      return extractCode(mail.text);
    } catch {
      return undefined;
    }
  }

  /** A whole recovery from a fresh device (no kill armed); returns the new credentials. */
  async function recover(account: Account, newPassword: string, client: LatchkeyClient): Promise<{ secretKey: string }> {
    const since = Date.now();
    await client.recovery.start(account.email);
    const emailCode = await recoveryEmailCode(account.email, since, 10_000);
    expect(emailCode, 'no recovery email arrived').toBeDefined();
    return client.recovery.complete({ email: account.email, emailCode: emailCode!, newPassword, recoveryCode: account.recoveryCode });
  }

  it('after a crash at any point of a recovery the account opens with the old or the new credentials, no item is lost, and the code still works', async () => {
    const timing = new FinishTiming(FINISH);
    let account: Account | undefined;
    let accountNumber = 0;

    for (const [round, point] of KILL_POINTS.entries()) {
      const roundStarted = performance.now();
      if (round % ROUNDS_PER_ACCOUNT === 0) account = await accountWithItemsAndCode(`Recoverer ${++accountNumber}`);
      const acct = account!;
      const key = accountKey(server.url, acct.email);
      const oldPassword = acct.password;
      const oldKey = acct.secretKey;
      const newPassword = `recovered-${round}-${Math.random().toString(36).slice(2)}`;

      // The recovery, from a fresh device, with the kill armed.
      const deviceStore = new MemoryStore();
      const recovering = sdkClient(server.url, { store: deviceStore, fetch: killSwitch.fetch });
      const delayMs = point.delay(timing);
      const blocker = point.lockTable !== undefined ? await lockRows(databaseUrl, point.lockTable, acct.userId) : undefined;
      if (blocker) expect(blocker.rowCount).toBeGreaterThanOrEqual(1);
      let sentAt = 0;
      const { confirmed, restartMs } = await killDuring({ server, killSwitch, pauseFile: rig!.pauseFile }, point, delayMs, blocker, 'recovery', async () => {
        sentAt = Date.now();
        await recovering.recovery.start(acct.email);
        // Killed right after the start reply, the email may never be written: the next request fails anyway.
        const emailCode = (await recoveryEmailCode(acct.email, sentAt, point.path === START ? 500 : 10_000)) ?? '00000000';
        await recovering.recovery.complete({ email: acct.email, emailCode, newPassword, recoveryCode: acct.recoveryCode });
      });
      if (round === 0) timing.roundTripMs = killSwitch.lastFinishRoundTripMs ?? 0;

      // The recovering device's memory: the new Secret Key is final once confirmed, else maybe pending.
      const stored = await deviceStore.read();
      const newKey = confirmed ? stored.secretKeys?.[key] : stored.pendingSecretKeys?.[key];
      if (confirmed) {
        expect(stored.pendingSecretKeys?.[key]).toBeUndefined();
        expect(stored.pendingRecovery).toBeUndefined();
      } else {
        expect(stored.secretKeys?.[key], 'an unconfirmed recovery must not store its Secret Key as final').toBeUndefined();
      }
      // The new key is stored (pending) before finish is sent, and only once the register reply is
      // in (a kill as register is sent may land after its reply: the register step is quick).
      if (point.path === FINISH || (point.path === REGISTER && point.when === 'response')) {
        expect(newKey, `crash ${point.label}: no new Secret Key on the device`).toBeDefined();
      }
      if (point.path === START || point.path === VERIFY || point.path === PROVE) {
        expect(newKey, `crash ${point.label}: a new Secret Key was stored before the registration reply`).toBeUndefined();
      }
      if (newKey !== undefined) expect(newKey).not.toBe(oldKey);

      // Fresh clients, explicit credentials: what the client believes is live first, then the other one.
      const tries: Array<[Outcome, string, string]> = [];
      if (newKey !== undefined) tries.push(['new', newPassword, newKey]);
      if (confirmed) tries.push(['old', oldPassword, oldKey]);
      else tries.unshift(['old', oldPassword, oldKey]);
      let outcome: Outcome | undefined;
      let opened: LatchkeyClient | undefined;
      for (const [which, password, secretKey] of tries) {
        opened = await opensWith(server.url, acct.email, password, secretKey);
        if (opened !== undefined) {
          outcome = which;
          break;
        }
      }
      expect(outcome, `crash ${point.label}: the account opens with neither the old nor the new credentials`).toBeDefined();
      expect(point.allowed, `crash ${point.label}: the account opened with the ${outcome} credentials`).toContain(outcome);
      if (confirmed) expect(outcome, `crash ${point.label}: the client saw the recovery confirmed, yet the old credentials are live`).toBe('new');
      timing.record(point, delayMs, outcome!);

      // Every item, intact, through the credentials that opened.
      expect(await snapshotItems(opened!)).toEqual(acct.items);
      // Sessions end in the same transaction as the swap: the old session lives exactly when the old credentials do.
      const oldSession = await codeOf(acct.session.whoami());
      expect(oldSession, `crash ${point.label}: the old session after the ${outcome} credentials opened`).toBe(outcome === 'old' ? 'ok' : 'unauthenticated');
      // The recovery code is reusable: still the active code whatever happened.
      expect(await opened!.recoveryCode.check(acct.recoveryCode), `crash ${point.label}: the recovery code no longer checks`).toBe(true);
      const notified = (await readOutbox(dataDir)).some((m) => m.to === acct.email && m.subject.includes('was recovered') && m.sentAt >= sentAt);

      let again = '';
      if (outcome === 'new') {
        acct.password = newPassword;
        acct.secretKey = newKey!;
        acct.session = opened!;
      } else {
        // Old credentials live: a new recovery with the same code completes, and its credentials open everything.
        const retryPassword = `${newPassword}-again`;
        const { secretKey: retryKey } = await recover(acct, retryPassword, sdkClient(server.url));
        const reopened = await opensWith(server.url, acct.email, retryPassword, retryKey);
        expect(reopened, `crash ${point.label}: the credentials of the completed recovery afterwards do not open the account`).toBeDefined();
        expect(await snapshotItems(reopened!)).toEqual(acct.items);
        expect(await codeOf(opened!.whoami()), 'the completed recovery ended the sessions').toBe('unauthenticated');
        acct.password = retryPassword;
        acct.secretKey = retryKey;
        acct.session = reopened!;
        again = '; recovered again with the same code';
      }
      const took = ((performance.now() - roundStarted) / 1000).toFixed(1);
      summary.push(
        `round ${String(round).padStart(2)}: kill ${point.label} (+${delayMs.toFixed(1)} ms; finish round trip ${timing.roundTripMs.toFixed(1)} ms) -> ${outcome}` +
          `${confirmed ? ' (confirmed)' : ''}${outcome === 'new' ? `, recovered notice ${notified ? 'sent' : 'NOT sent'}` : ''}${again} [round ${took} s, restart ${(restartMs / 1000).toFixed(1)} s]`,
      );
    }
  }, 900_000);
});
