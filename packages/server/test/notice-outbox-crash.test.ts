/**
 * SPEC §2.8: "every email that a committed change owes (a recovery notice, a backup-code use) is
 * sent even if the server crashes right after the commit". A real server process (`latchkey
 * server`, helpers/server-process.ts) on SQLite or PostgreSQL is SIGKILLed right after the commit
 * of a recovery, of a backup code's use and of a password change, before it could send the
 * notice, and started again on the same data: the notice then arrives, exactly once.
 *
 * The kill lands there for certain: the server runs with LATCHKEY_TEST_PAUSE_FILE, the round
 * arms `notices:after-commit` (the request stops right after its commit, before it wakes the
 * sender) and `notices:before-claim` (the sender's own poll stops before it could claim the
 * notice), waits for the server to say it stopped, and kills it. Each round checks that the
 * change did commit (what it owes a notice for), that nothing was sent before the kill, and,
 * after the restart, that every notice row of the account is sent and its Message-ID is in the
 * file outbox once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyError } from '@latchkey/core/errors';
import type { Fetch } from '@latchkey/client/http';
import { Secret, TOTP } from 'otpauth';
import { openDatabase, type Storage } from '../src/storage/database.ts';
import { PAUSE_FILE_ENV } from '../src/testing/pause-points.ts';
import { opensWith } from './helpers/crash-rounds.ts';
import {
  createEmptyPostgresDatabase,
  extractCode,
  readOutbox,
  sdkClient,
  type ServerProcess,
  signUpUser,
  startServerProcess,
  stopAllServerProcesses,
  testDatabaseKind,
  type TestUser,
  waitForEmail,
} from '@latchkey/server/testing';

const FREEZE = 'notices:after-commit\nnotices:before-claim\n';
const ROUND_TIMEOUT_MS = 180_000;

describe(`a notice owed by a committed change survives a SIGKILL right after the commit (${testDatabaseKind()})`, () => {
  let dataDir: string;
  let pauseFile: string;
  let database: { databaseUrl: string; drop(): Promise<void> } | undefined;
  let server: ServerProcess;
  let storage: Storage;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-notice-crash-'));
    pauseFile = `${dataDir}.pause-points`;
    if (testDatabaseKind() === 'postgres') database = await createEmptyPostgresDatabase();
    server = await startServerProcess({
      dataDir,
      ...(database ? { databaseUrl: database.databaseUrl } : {}),
      env: { [PAUSE_FILE_ENV]: pauseFile },
      startTimeoutMs: 90_000,
    });
    // The test's own connection, to see what the server committed (SQLite allows a second process on the file).
    storage = await openDatabase({ dataDir, ...(database ? { databaseUrl: database.databaseUrl } : {}) });
  }, 120_000);

  afterAll(async () => {
    await stopAllServerProcesses();
    await storage?.close();
    await database?.drop();
    await rm(pauseFile, { force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A fetch for the SDK that arms the freeze just before a request to `pathname` goes out. */
  const armingFetch =
    (pathname: string): Fetch =>
    async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === pathname) writeFileSync(pauseFile, FREEZE);
      return fetch(input, init);
    };

  /**
   * Runs `change` (arming the freeze first unless `change` arms it itself), kills the server
   * once it stopped right after the commit, and restarts it. The change must fail only as a
   * request to a vanished server.
   */
  async function killRightAfterCommit(change: () => Promise<unknown>, options: { armsItself?: boolean } = {}): Promise<void> {
    const paused = server.nextLine(/^latchkey-test-pause: notices:after-commit$/, 60_000);
    if (!options.armsItself) await writeFile(pauseFile, FREEZE);
    const outcome = change().then(
      () => undefined,
      (error: unknown) => error,
    );
    try {
      await paused;
    } finally {
      server.kill();
      await rm(pauseFile, { force: true });
    }
    expect((await server.exited).signal).toBe('SIGKILL');
    const error = await outcome;
    expect(error, `the change ended with ${String(error)}`).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('network_error');
  }

  const outboxRows = (recipient: string) => storage.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).orderBy('created_at').execute();

  /** What the file outbox holds for `to` with a subject containing `subject`. */
  const mailsFor = async (to: string, subject: string) => (await readOutbox(dataDir)).filter((m) => m.to === to && m.subject.includes(subject));

  /** Waits until every notice of `to` is sent, then checks that each reached the file outbox exactly once. */
  async function expectEachDeliveredOnce(to: string, kinds: readonly string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    let rows = await outboxRows(to);
    while (rows.some((r) => r.status !== 'sent') && Date.now() < deadline) {
      await sleep(50);
      rows = await outboxRows(to);
    }
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
    expect(rows.map((r) => r.kind)).toEqual(expect.arrayContaining([...kinds]));
    // A moment for a (wrong) second delivery to show up.
    await sleep(500);
    const mails = (await readOutbox(dataDir)).filter(
      (m) => m.to === to && !m.subject.includes('verification code') && !m.subject.includes('confirm a Latchkey account recovery'),
    );
    expect(mails).toHaveLength(rows.length);
    for (const row of rows)
      expect(
        mails.filter((m) => m.messageId === `<notice.${row.id}@localhost>`),
        `${row.kind} ${row.id}`,
      ).toHaveLength(1);
  }

  async function newAccount(): Promise<TestUser> {
    return signUpUser({ url: server.url, dataDir });
  }

  it(
    'a password change',
    async () => {
      const account = await newAccount();
      const newPassword = `${account.password}-changed`;
      await killRightAfterCommit(() => account.client.account.changePassword(account.password, newPassword));
      // Committed, not sent.
      const [owed] = (await outboxRows(account.email)).filter((r) => r.kind === 'credentials-changed');
      expect(owed).toMatchObject({ status: 'queued', attempts: 0, claimed_by: null });
      expect(await mailsFor(account.email, 'password was changed')).toEqual([]);

      await server.restart();
      await waitForEmail(dataDir, { to: account.email, subjectIncludes: 'password was changed' }, 15_000);
      await expectEachDeliveredOnce(account.email, ['credentials-changed']);
      // The change the notice is about did happen: the new password opens the account, the old one no longer does.
      expect(await opensWith(server.url, account.email, account.password, account.secretKey)).toBeUndefined();
      expect(await opensWith(server.url, account.email, newPassword, account.secretKey)).toBeDefined();
    },
    ROUND_TIMEOUT_MS,
  );

  it(
    "a backup code's use at sign-in",
    async () => {
      const account = await newAccount();
      const { secret } = await account.client.twoStep.enableTotp();
      const backupCodes = await account.client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
      await waitForEmail(dataDir, { to: account.email, subjectIncludes: 'two-step verification changed' }, 15_000);

      await killRightAfterCommit(() =>
        sdkClient(server.url).signIn({
          email: account.email,
          password: account.password,
          secretKey: account.secretKey,
          twoStep: { backupCode: backupCodes[0]! },
        }),
      );
      const [owed] = (await outboxRows(account.email)).filter((r) => r.kind === 'backup-code-used');
      expect(owed).toMatchObject({ status: 'queued', attempts: 0, claimed_by: null });
      expect(await mailsFor(account.email, 'backup code was used')).toEqual([]);
      const used = await storage.db
        .selectFrom('backup_codes')
        .innerJoin('users', 'users.id', 'backup_codes.user_id')
        .select('backup_codes.id')
        .where('users.email', '=', account.email)
        .where('used_at', 'is not', null)
        .execute();
      expect(used).toHaveLength(1);

      await server.restart();
      await waitForEmail(dataDir, { to: account.email, subjectIncludes: 'backup code was used' }, 15_000);
      await expectEachDeliveredOnce(account.email, ['two-factor-changed', 'backup-code-used']);
    },
    ROUND_TIMEOUT_MS,
  );

  it(
    'a recovery with the recovery code',
    async () => {
      const account = await newAccount();
      const { recoveryCode } = await account.client.recoveryCode.create();
      await account.client.recoveryCode.confirm(recoveryCode);
      await waitForEmail(dataDir, { to: account.email, subjectIncludes: 'recovery code was set up' }, 15_000);

      // The freeze is armed only as finish goes out: prove and register run through.
      const rescuer = sdkClient(server.url, { fetch: armingFetch('/api/recovery/finish') });
      const startedAt = Date.now();
      await rescuer.recovery.start(account.email);
      const mail = await waitForEmail(dataDir, { to: account.email, subjectIncludes: 'confirm a Latchkey account recovery', after: startedAt - 1_000 }, 15_000);
      const newPassword = `${account.password}-recovered`;
      await killRightAfterCommit(() => rescuer.recovery.complete({ email: account.email, emailCode: extractCode(mail.text), newPassword, recoveryCode }), {
        armsItself: true,
      });
      const [owed] = (await outboxRows(account.email)).filter((r) => r.kind === 'account-recovered');
      expect(owed).toMatchObject({ status: 'queued', attempts: 0, claimed_by: null });
      expect(await mailsFor(account.email, 'account was recovered')).toEqual([]);

      await server.restart();
      await waitForEmail(dataDir, { to: account.email, subjectIncludes: 'account was recovered' }, 15_000);
      await expectEachDeliveredOnce(account.email, ['recovery-code-activated', 'recovery-proved', 'account-recovered']);
      // The recovery committed: the old credentials no longer open the account.
      expect(await opensWith(server.url, account.email, account.password, account.secretKey)).toBeUndefined();
    },
    ROUND_TIMEOUT_MS,
  );
});
