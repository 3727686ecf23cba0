/**
 * SPEC §5 invariant 5 for password change and Secret Key change: a credential swap is atomic.
 * After a crash at any point the account opens with the old or the new credentials, never
 * neither, and no item is lost.
 *
 * A real server runs as a child process (`latchkey server`). A user changes their password or
 * Secret Key through the SDK, and the server is SIGKILLed at one point of the change: after the
 * client got the confirmation, as the new OPAQUE registration starts, right as the swap request
 * is sent, inside the swap transaction for certain (half-way through the swap and just before
 * its commit: the server stops at a test pause point, or on PostgreSQL half-way on a row lock
 * held from another connection, and only then is killed), and at delays into the swap request
 * that bisect towards the moment it commits (learnt from the earlier rounds, so they land around
 * the commit on any machine). The server is
 * restarted on the same data and the test checks that
 *   - the account opens with exactly the credentials the crash point allows (old before the
 *     swap was sent, new once it was confirmed, one of the two in between), signing in with a
 *     fresh client and explicit credentials;
 *   - the user's own device (its store keeps a new Secret Key as *pending* until the server
 *     confirms) signs in with only the password;
 *   - every item is there with the same version and decrypted content.
 * A last test kills the server in the middle of a burst of item writes: every acknowledged
 * write must survive, and unacknowledged ones land whole or not at all.
 * On SQLite every kill also exercises the embedded database's crash recovery (WAL replay) on restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatchkeyClient } from '@latchkey/client/client';
import { accountKey, type MemoryStore } from '@latchkey/client/local-store';
import type { LatchkeyError } from '@latchkey/core/errors';
import type { ItemFields } from '@latchkey/core/item';
import { sdkClient, type ServerProcess, signUpUser, testDatabaseKind, type TestUser } from '@latchkey/server/testing';
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

const FINISH = '/api/account/credentials/finish';

const BISECTION = (i: number): KillPoint => ({
  label: `while the swap request is handled (bisection ${i})`,
  path: FINISH,
  when: 'request',
  delay: (timing) => timing.bisect(),
  allowed: ['old', 'new'],
});

const KILL_POINTS: readonly KillPoint[] = [
  // First, so it measures the swap request's round trip for the bisection below.
  { label: 'after the client got the confirmation', path: FINISH, when: 'response', delay: () => 0, allowed: ['new'] },
  { label: 'as the new OPAQUE registration starts', path: '/api/account/credentials/start', when: 'request', delay: () => 0, allowed: ['old'] },
  { label: 'right as the swap request is sent', path: FINISH, when: 'request', delay: () => 0, allowed: ['old', 'new'] },
  // Inside the swap transaction for certain: half-way through the swap (users row updated,
  // keyset not yet), held there by a row lock on the keyset on PostgreSQL and by the test pause
  // point on SQLite; and with every write done but before the commit, held by the pause point.
  testDatabaseKind() === 'postgres'
    ? {
        label: 'inside the swap transaction, half-way (blocked on the keyset row lock)',
        path: FINISH,
        when: 'request',
        delay: () => 0,
        lockTable: 'keysets',
        allowed: ['old'],
      }
    : {
        label: 'inside the swap transaction, half-way (paused: users row updated, keyset not yet)',
        path: FINISH,
        when: 'request',
        delay: () => 0,
        pauseAt: 'credentials-swap:users-updated',
        allowed: ['old'],
      },
  {
    label: 'inside the swap transaction, every write done, before the commit (paused)',
    path: FINISH,
    when: 'request',
    delay: () => 0,
    pauseAt: 'credentials-swap:before-commit',
    allowed: ['old'],
  },
  BISECTION(1),
  BISECTION(2),
];
// Seven rounds per kind of change keep the sign-ins of one email (2–3 per round) under the
// server's limit of 20 per 5 minutes (RATE_LIMITS.signInPerEmail).

describe(`credential changes are atomic across a SIGKILL of the server (${testDatabaseKind()})`, () => {
  let rig: CrashServer | undefined;
  let dataDir: string;
  let databaseUrl: string | undefined;
  let server: ServerProcess;
  let killSwitch: KillSwitch;
  const summary: string[] = [];

  beforeAll(async () => {
    rig = await startCrashServer('latchkey-crash-', FINISH);
    ({ dataDir, databaseUrl, server, killSwitch } = rig);
  }, 180_000);

  afterAll(async () => {
    await rig?.stop();
    if (summary.length > 0) console.info(`crash rounds (${testDatabaseKind()}):\n  ${summary.join('\n  ')}`);
  });

  /** Signs a user up through the SDK on the child server and fills two vaults with items. */
  async function userWithItems(label: string): Promise<{ account: TestUser; items: ExpectedItem[] }> {
    if (!server.running) await server.restart(); // an earlier test may have failed between kill and restart
    const account = await signUpUser({ url: server.url, dataDir }, { name: label, fetch: killSwitch.fetch });
    const items = await fillTwoVaults(account.client, ITEM_FIXTURES);
    // A kill while idle loses nothing either; and every round then starts on a freshly started
    // (cold) server, so the round trip measured in round 0 is the one the later kill delays hit.
    server.kill();
    await server.restart();
    expect(await snapshotItems(account.client)).toEqual(items);
    return { account, items };
  }

  /**
   * Kills the server at `point` during `change` and restarts it; reports whether the client saw
   * the change confirmed. `userId` names the account whose keyset row a `lockTable` point locks.
   */
  async function crashDuring(
    point: KillPoint,
    timing: FinishTiming,
    userId: string,
    change: () => Promise<unknown>,
  ): Promise<{ confirmed: boolean; delayMs: number }> {
    const delayMs = point.delay(timing);
    const blocker = point.lockTable !== undefined ? await lockRows(databaseUrl, point.lockTable, userId) : undefined;
    if (blocker) expect(blocker.rowCount).toBe(1);
    const { confirmed } = await killDuring({ server, killSwitch, pauseFile: rig!.pauseFile }, point, delayMs, blocker, 'change', change);
    return { confirmed, delayMs };
  }

  function checkOutcome(point: KillPoint, confirmed: boolean, outcome: Outcome): void {
    expect(point.allowed, `crash ${point.label}: the account opened with the ${outcome} credentials`).toContain(outcome);
    // A confirmed swap must have been durable: the client already threw the old credentials away.
    if (confirmed) expect(outcome, `crash ${point.label}: the client saw the change confirmed, yet the old credentials are live`).toBe('new');
  }

  it('password change: after a crash at any point the account opens with the old or the new password, and every item is intact', async () => {
    const { account, items } = await userWithItems('Password Changer');
    const deviceStore = account.store;
    const key = accountKey(server.url, account.email);
    let device: LatchkeyClient = account.client;
    let password = account.password;
    const timing = new FinishTiming(FINISH);

    for (const [round, point] of KILL_POINTS.entries()) {
      const oldPassword = password;
      const newPassword = `${account.password}-round-${round}`;
      const { confirmed, delayMs } = await crashDuring(point, timing, account.userId, () => device.account.changePassword(oldPassword, newPassword));
      if (round === 0) timing.roundTripMs = killSwitch.lastFinishRoundTripMs ?? 0;

      // Fresh client, explicit credentials: try first what the client believes is live, then the other.
      const tries: Array<[Outcome, string]> = confirmed
        ? [
            ['new', newPassword],
            ['old', oldPassword],
          ]
        : [
            ['old', oldPassword],
            ['new', newPassword],
          ];
      let outcome: Outcome | undefined;
      let opened: LatchkeyClient | undefined;
      for (const [which, candidate] of tries) {
        opened = await opensWith(server.url, account.email, candidate, account.secretKey);
        if (opened !== undefined) {
          outcome = which;
          break;
        }
      }
      expect(outcome, `crash ${point.label}: the account opens with neither the old nor the new password`).toBeDefined();
      checkOutcome(point, confirmed, outcome!);
      timing.record(point, delayMs, outcome!);
      password = outcome === 'new' ? newPassword : oldPassword;
      expect(await snapshotItems(opened!)).toEqual(items);

      // The user's own device: remembered Secret Key, only the (live) password typed.
      device = sdkClient(server.url, { store: deviceStore, fetch: killSwitch.fetch });
      await device.signIn({ email: account.email, password });
      expect((await deviceStore.read()).secretKeys?.[key]).toBe(account.secretKey);
      expect(await snapshotItems(device)).toEqual(items);
      summary.push(
        `password   round ${round}: kill ${point.label} (+${delayMs.toFixed(1)} ms; round trip ${timing.roundTripMs.toFixed(1)} ms) -> ${outcome}${confirmed ? ' (confirmed)' : ''}`,
      );
    }
  }, 600_000);

  it('Secret Key change: after a crash at any point the account opens with the old or the new Secret Key (the device tries its pending key), and every item is intact', async () => {
    const { account, items } = await userWithItems('Secret Key Changer');
    const deviceStore: MemoryStore = account.store;
    const key = accountKey(server.url, account.email);
    let device: LatchkeyClient = account.client;
    let secretKey = account.secretKey;
    const timing = new FinishTiming(FINISH);

    for (const [round, point] of KILL_POINTS.entries()) {
      const oldKey = secretKey;
      const { confirmed, delayMs } = await crashDuring(point, timing, account.userId, () => device.account.changeSecretKey(account.password));
      if (round === 0) timing.roundTripMs = killSwitch.lastFinishRoundTripMs ?? 0;

      const stored = await deviceStore.read();
      // Confirmed: the device already holds the new key as its Secret Key; otherwise it may hold it as pending.
      const newKey = confirmed ? stored.secretKeys?.[key] : stored.pendingSecretKeys?.[key];
      if (confirmed) {
        expect(stored.pendingSecretKeys?.[key]).toBeUndefined();
        expect(newKey).not.toBe(oldKey);
      } else {
        expect(stored.secretKeys?.[key]).toBe(oldKey);
      }
      // Killed before the new key existed: only the old one can be live.
      if (newKey === undefined) expect(point.allowed).toContain('old');

      const tries: Array<[Outcome, string]> = [];
      if (newKey !== undefined) tries.push(['new', newKey]);
      if (confirmed) tries.push(['old', oldKey]);
      else tries.unshift(['old', oldKey]);
      let outcome: Outcome | undefined;
      let opened: LatchkeyClient | undefined;
      for (const [which, candidate] of tries) {
        opened = await opensWith(server.url, account.email, account.password, candidate);
        if (opened !== undefined) {
          outcome = which;
          break;
        }
      }
      expect(outcome, `crash ${point.label}: the account opens with neither the old nor the new Secret Key`).toBeDefined();
      checkOutcome(point, confirmed, outcome!);
      timing.record(point, delayMs, outcome!);
      secretKey = outcome === 'new' ? newKey! : oldKey;
      expect(await snapshotItems(opened!)).toEqual(items);
      expect(opened!.isUnlocked).toBe(true);

      // The user's own device, password only: it tries its remembered key and then the pending one.
      device = sdkClient(server.url, { store: deviceStore, fetch: killSwitch.fetch });
      await device.signIn({ email: account.email, password: account.password });
      const after = await deviceStore.read();
      expect(after.secretKeys?.[key], 'the device remembers the live Secret Key').toBe(secretKey);
      expect(after.pendingSecretKeys?.[key]).toBeUndefined();
      expect(await snapshotItems(device)).toEqual(items);
      summary.push(
        `secret key round ${round}: kill ${point.label} (+${delayMs.toFixed(1)} ms; round trip ${timing.roundTripMs.toFixed(1)} ms) -> ${outcome}${confirmed ? ' (confirmed)' : ''}`,
      );
    }
  }, 600_000);
  it('items acknowledged before a SIGKILL in the middle of a burst of writes are all there afterwards, intact', async () => {
    const { account, items: before } = await userWithItems('Burst Writer');
    const personal = (await account.client.vaults.list()).find((v) => v.kind === 'personal')!;
    let expected = before;
    for (const round of [1, 2]) {
      const acknowledged: ExpectedItem[] = [];
      const sent = Array.from(
        { length: 40 },
        (_, i): ItemFields => ({ kind: 'login', title: `burst ${round} #${i}`, username: `u${i}`, password: `p-${round}-${i}-${'z'.repeat(i * 50)}` }),
      );
      // Kill once a quarter of the writes were confirmed; the rest are in flight or not yet sent.
      const results = await Promise.allSettled(
        sent.map((fields) =>
          account.client.items.create(personal.id, fields).then((item) => {
            acknowledged.push({ id: item.id, vaultId: item.vaultId, version: item.version, fields });
            if (acknowledged.length === sent.length / 4) server.kill();
          }),
        ),
      );
      expect(
        results.some((r) => r.status === 'rejected'),
        'the kill came after every write was done',
      ).toBe(true);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as LatchkeyError).code).toBe('network_error');
      expect((await server.exited).signal).toBe('SIGKILL');
      await server.restart();

      // The session and the unlocked keys outlive the server; list everything again.
      const after = await snapshotItems(account.client);
      const byId = new Map(after.map((i) => [i.id, i]));
      for (const item of [...expected, ...acknowledged]) expect(byId.get(item.id), `item "${item.fields.title}" was lost`).toEqual(item);
      const known = new Set([...expected, ...acknowledged].map((i) => i.id));
      // Writes in flight at the kill may or may not have landed, but only whole and only as sent.
      for (const extra of after.filter((i) => !known.has(i.id))) {
        expect(sent).toContainEqual(extra.fields);
        expect(extra.version).toBe(1);
      }
      summary.push(
        `burst      round ${round}: ${acknowledged.length} acknowledged, ${after.length - known.size} more landed unacknowledged, ${sent.length - (after.length - expected.length)} never landed`,
      );
      expected = after;
    }
  }, 300_000);
});
