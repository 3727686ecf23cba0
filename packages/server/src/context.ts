/**
 * What every service needs, passed explicitly: the database, the mailer, configuration, a
 * clock (so expiry is computed in one place, from one source of time), a logger that
 * never receives secrets, and the notice sender to wake after a commit that queued a notice.
 */
import type { Kysely } from 'kysely';
import type { ServerConfig } from './config.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Database } from './storage/schema.ts';
import type { ServerKeyring } from './security/server-keys.ts';
import type { NoticeWaker } from './services/notice-sender.ts';

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface ServerContext {
  readonly db: Kysely<Database>;
  readonly mailer: Mailer;
  readonly config: ServerConfig;
  readonly clock: () => Date;
  readonly log: Logger;
  /** OPAQUE server setup (OPRF seed and server key pair), shared by every instance through the database. */
  readonly opaqueServerSetup: string;
  /** Keys (outside the database) that seal secrets the server must read back, like TOTP seeds. */
  readonly keyring: ServerKeyring;
  /** Woken by `transactionWithNotices` (services/notice-outbox.ts) once a transaction that queued notices commits. */
  readonly noticeSender: NoticeWaker;
}

/** The caller of a request, as far as the server can tell. */
export interface RequestMeta {
  readonly ip: string | null;
}

export type Tx = Kysely<Database>;
