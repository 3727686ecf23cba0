/**
 * Runs a Latchkey server: opens storage (migrating it), loads the server keyring and with it the
 * shared, sealed OPAQUE setup, creates the mailer, builds the app and listens, then starts the
 * notice sender (which first sends whatever notices are still owed). `startServer` is what
 * `latchkey server`, `npm start` and the tests call.
 */
import { purgeExpiredTrash } from './services/trash.ts';
import { opaqueReady } from '@latchkey/core/opaque';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import type { Logger, ServerContext } from './context.ts';
import { createMailer } from './mail/mailer.ts';
import { openDatabase, type Storage } from './storage/database.ts';
import { deleteExpiredSessions } from './repositories/sessions.ts';
import { sweepAbandonedSignIns } from './services/sign-in-failures.ts';
import { deleteStaleEmailCodes } from './repositories/email-codes.ts';
import { pruneRateLimits } from './storage/rate-limiter.ts';
import { deleteExpiredChallenges } from './repositories/challenges.ts';
import { loadServerKeyring } from './security/server-keys.ts';
import { resealEscrows } from './services/recovery-group.ts';
import { resealTotpSecrets } from './services/totp.ts';
import { KeyringMismatchError, loadOpaqueServerSetup } from './services/opaque-setup.ts';
import { createNoticeSender, type NoticeDeliveryOptions } from './services/notice-sender.ts';
import { deleteFinishedNotices } from './repositories/outbox.ts';

export interface RunningServer {
  readonly url: string;
  readonly context: ServerContext;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replace the clock (tests of expiry). */
  readonly clock?: () => Date;
  /** Extra pino options, e.g. a destination stream that tests read. */
  readonly logger?: boolean | Record<string, unknown>;
  /**
   * Tests only: serve this already opened and migrated storage (closed with the server) instead
   * of opening the one the configuration names, e.g. a PGlite database as earlier versions kept it.
   */
  readonly storage?: Storage;
  /** Tests only: faster polls and retries, a shorter lease, fewer attempts. */
  readonly noticeDelivery?: Partial<NoticeDeliveryOptions>;
}

const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;
/** Sent and failed notices stay in the outbox table this long, for operators to look at. */
const FINISHED_NOTICE_RETENTION_MS = 30 * 24 * 3600_000;

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  await opaqueReady;
  const storage =
    options.storage ??
    (await openDatabase({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      // Before the logger exists: only the one-time PGlite import reports here.
      log: (message) => process.stderr.write(`${message}\n`),
    }));
  const logger = options.logger ?? { level: config.logLevel };
  let log: Logger = { info: () => {}, warn: () => {}, error: () => {} };
  const mailer = createMailer({ dataDir: config.dataDir, smtpFrom: config.smtpFrom, ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}) }, (msg, fields) =>
    log.info(fields ?? {}, msg),
  );
  const keyring = await loadServerKeyring(config.serverKeysFile);
  // A lost or misplaced keyring must not quietly become a new one: every sealed secret would be
  // unreadable, and without the OPAQUE setup no account could sign in.
  const refuseNewKeyring = async () => {
    await storage.close();
    return new Error(
      `The server keyring ${config.serverKeysFile} did not exist, but the database holds secrets sealed with one. ` +
        'Restore the keyring file (or point --server-keys-file at it) before starting; a new one was created and must be removed.',
    );
  };
  if (keyring.created && (await storage.db.selectFrom('totp_factors').select('user_id').limit(1).execute()).length > 0) throw await refuseNewKeyring();
  let opaque: Awaited<ReturnType<typeof loadOpaqueServerSetup>>;
  try {
    opaque = await loadOpaqueServerSetup(storage.db, keyring);
  } catch (error) {
    // (Another instance starting at the same moment may have sealed the setup with the keyring
    // this one just created: that opens fine, so only a setup this keyring cannot open refuses.)
    if (error instanceof KeyringMismatchError && keyring.created) throw await refuseNewKeyring();
    await storage.close();
    throw error;
  }
  const opaqueServerSetup = opaque.setup;
  const noticeSender = createNoticeSender(options.noticeDelivery);
  const context: { -readonly [K in keyof ServerContext]: ServerContext[K] } = {
    db: storage.db,
    mailer,
    config,
    keyring,
    clock: options.clock ?? (() => new Date()),
    get log() {
      return log;
    },
    opaqueServerSetup,
    noticeSender,
  };
  const app = await buildApp(context, { logger, storageKind: storage.kind, trustProxy: config.trustProxy });
  log = {
    info: (fields, message) => app.log.info(fields, message),
    warn: (fields, message) => app.log.warn(fields, message),
    error: (fields, message) => app.log.error(fields, message),
  };
  if (opaque.sealedPlaintext) log.info({}, 'sealed the OPAQUE server setup with the server keyring (it was stored in plaintext)');
  if (opaque.resealed) log.info({}, 're-sealed the OPAQUE server setup under the current server key');
  const resealed = await resealTotpSecrets(context);
  if (resealed > 0) log.info({ count: resealed }, 're-sealed TOTP secrets under the current server key');
  const resealedEscrows = await resealEscrows(context);
  if (resealedEscrows > 0) log.info({ count: resealedEscrows }, 're-sealed recovery escrows under the current server key');
  const purged = await purgeExpiredTrash(storage.db, context.clock());
  if (purged > 0) log.info({ count: purged }, 'deleted items kept in the Trash for more than 30 days');
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  // Port 0 means "any free port": the public URL (WebAuthn origin, links in emails) takes the real one.
  const publicUrl = new URL(config.publicUrl);
  if (publicUrl.port === '0') {
    publicUrl.port = String(port);
    context.config = { ...config, publicUrl: publicUrl.origin + publicUrl.pathname.replace(/\/+$/, '') };
  }
  // Once the public URL is final (notices link to it). Notices queued by requests before this
  // line only miss their wake-up, and start() sends everything that is due.
  noticeSender.start(context);
  const housekeeping = setInterval(() => {
    const now = context.clock();
    void Promise.all([
      deleteExpiredSessions(storage.db, now),
      sweepAbandonedSignIns(context, { now }),
      deleteExpiredChallenges(storage.db, now),
      deleteStaleEmailCodes(storage.db, new Date(now.getTime() - 24 * 3600_000)),
      pruneRateLimits(storage.db, new Date(now.getTime() - 24 * 3600_000)),
      deleteFinishedNotices(storage.db, new Date(now.getTime() - FINISHED_NOTICE_RETENTION_MS)),
      purgeExpiredTrash(storage.db, now),
    ]).catch((error: unknown) => log.warn({ error: String(error) }, 'housekeeping failed'));
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    context,
    async close() {
      clearInterval(housekeeping);
      // Requests still running may queue notices; the sender sends them, or leaves them queued.
      await app.close();
      await noticeSender.close();
      await mailer.close();
      await storage.close();
    },
  };
}
