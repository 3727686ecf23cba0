/**
 * Outgoing email: SMTP when SMTP_URL is configured, otherwise an on-disk outbox of RFC 5322
 * `.eml` files under `<dataDir>/outbox/` so a fresh install works with no mail server.
 *
 * Protects against: one-time codes leaking into logs (only recipient and subject are logged,
 * never the body — so never put a code in a subject), readers seeing half-written messages
 * (outbox files are written under a temporary name and renamed into place), and other local
 * users reading codes (outbox directory 0700, files 0600).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  /** Plain-text body. One-time codes go on a line of their own (docs/protocol.md §13.1). */
  readonly text: string;
  /**
   * `<local@domain>`, the same for every attempt at one notice, so that a message sent twice
   * (a retry after an SMTP failure that left it unclear whether it was accepted) can be
   * recognised as one. Absent: a random one.
   */
  readonly messageId?: string;
}

export interface Mailer {
  /** @throws the transport's error when the message cannot be delivered or written. */
  send(message: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

export interface MailerConfig {
  readonly smtpUrl?: string;
  readonly smtpFrom: string;
  readonly dataDir: string;
}

export type MailLog = (msg: string, fields?: Record<string, unknown>) => void;

/** Where outbox messages go for a given data directory. */
export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

export function createMailer(config: MailerConfig, log: MailLog): Mailer {
  return config.smtpUrl === undefined ? createOutboxMailer(config, log) : createSmtpMailer(config.smtpUrl, config, log);
}

/**
 * Shared message options. Plain ASCII with short lines goes out as 7bit; anything else as
 * quoted-printable, never base64, so people and tests can read codes in the raw message
 * (quoted-printable only wraps lines longer than 76 characters, so a code line stays intact).
 */
function mailOptions(config: MailerConfig, message: OutgoingEmail) {
  return {
    from: config.smtpFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    textEncoding: 'quoted-printable' as const,
    ...(message.messageId !== undefined ? { messageId: message.messageId } : {}),
  };
}

/**
 * Bounds on one SMTP delivery (nodemailer's defaults wait up to 10 minutes for a silent server).
 * The notice sender's claim on a notice must outlast the slowest delivery, or another instance
 * could send it a second time (services/notice-sender.ts). Query parameters in SMTP_URL win.
 */
export const SMTP_TIMEOUTS_MS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 } as const;

/**
 * nodemailer, loaded and its transport made at the first email: an idle server that has sent
 * nothing does not hold it in memory (docs/operations.md §1).
 */
function lazyTransport(options: Record<string, unknown>) {
  let transport: Promise<Transporter> | undefined;
  return {
    get: () => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options))),
    async close() {
      if (transport !== undefined) (await transport).close();
    },
  };
}

function createSmtpMailer(smtpUrl: string, config: MailerConfig, log: MailLog): Mailer {
  const transport = lazyTransport({ url: smtpUrl, ...SMTP_TIMEOUTS_MS });
  return {
    async send(message) {
      const info = await (await transport.get()).sendMail(mailOptions(config, message));
      log('email sent', { to: message.to, subject: message.subject, messageId: info.messageId });
    },
    close: () => transport.close(),
  };
}

function createOutboxMailer(config: MailerConfig, log: MailLog): Mailer {
  const transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = outboxDir(config.dataDir);
  return {
    async send(message) {
      const info = await (await transport.get()).sendMail(mailOptions(config, message));
      const raw = info.message;
      if (!Buffer.isBuffer(raw)) throw new Error('nodemailer stream transport did not return a buffer');

      await mkdir(dir, { recursive: true, mode: 0o700 });
      // ISO time first so names sort by time; random suffix so concurrent sends never collide.
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(6).toString('hex')}`;
      const finalPath = path.join(dir, `${name}.eml`);
      // Dot-prefixed and not ending in .eml, so readers listing *.eml never pick it up.
      const tempPath = path.join(dir, `.${name}.tmp`);
      try {
        await writeFile(tempPath, raw, { mode: 0o600 });
        await rename(tempPath, finalPath);
      } catch (error) {
        await rm(tempPath, { force: true });
        throw error;
      }
      log('email written to outbox', { to: message.to, subject: message.subject, messageId: info.messageId, file: finalPath });
    },
    close: () => transport.close(),
  };
}
