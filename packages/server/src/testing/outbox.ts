/**
 * Test helper: reads the email outbox (`<dataDir>/outbox/*.eml`) that the server writes when no
 * SMTP server is configured, so tests can pick up the one-time codes users would receive.
 *
 * Usage:
 *   const sentAt = Date.now();
 *   await client.requestCode(email);
 *   const mail = await waitForEmail(dataDir, { to: email, subjectIncludes: 'code', after: sentAt });
 *   const code = extractCode(mail.text);
 *
 * The parser understands what nodemailer writes for a plain-text message (7bit, 8bit,
 * quoted-printable or base64 body; RFC 2047 encoded subjects); it is not a general MIME parser.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OutboxEmail {
  /** Absolute path of the .eml file. */
  readonly file: string;
  /** Bare recipient address, e.g. `alice@example.test` (display name dropped). */
  readonly to: string;
  readonly subject: string;
  /** Decoded plain-text body with `\n` line endings. */
  readonly text: string;
  /** The Message-ID header, angle brackets included (`''` when absent). */
  readonly messageId: string;
  /** When the server wrote it (from the file name), in ms since the epoch. */
  readonly sentAt: number;
}

export interface EmailQuery {
  /** Recipient address, compared case-insensitively. */
  readonly to: string;
  readonly subjectIncludes?: string;
  /** Only emails written at or after this time (ms since the epoch, e.g. `Date.now()`). */
  readonly after?: number;
}

/** Every email in the outbox, oldest first. An absent outbox is an empty one. */
export async function readOutbox(dataDir: string): Promise<OutboxEmail[]> {
  const dir = path.join(dataDir, 'outbox');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const emails: OutboxEmail[] = [];
  for (const name of names.filter((n) => n.endsWith('.eml')).sort()) {
    const file = path.join(dir, name);
    emails.push({ file, sentAt: timeFromFileName(name), ...parseEml(await readFile(file, 'utf8')) });
  }
  return emails;
}

/**
 * Waits until an email matching `query` is in the outbox and returns the newest match.
 * @throws Error listing what the outbox does hold when nothing matches within `timeoutMs`.
 */
export async function waitForEmail(dataDir: string, query: EmailQuery, timeoutMs = 5_000): Promise<OutboxEmail> {
  const deadline = Date.now() + timeoutMs;
  const matches = (email: OutboxEmail) =>
    email.to.toLowerCase() === query.to.toLowerCase() &&
    (query.subjectIncludes === undefined || email.subject.includes(query.subjectIncludes)) &&
    (query.after === undefined || email.sentAt >= query.after);
  for (;;) {
    const all = await readOutbox(dataDir);
    const found = all.filter(matches).at(-1);
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      const seen = all.map((e) => `${e.to} "${e.subject}" @${new Date(e.sentAt).toISOString()}`).join('; ');
      throw new Error(`No email for ${JSON.stringify(query)} within ${timeoutMs} ms; outbox holds: ${seen || 'nothing'}`);
    }
    await sleep(25);
  }
}

/**
 * The one-time code in an email body: the first line consisting only of 6–8 digits.
 * @throws Error when the body has no such line.
 */
export function extractCode(text: string): string {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\d{6,8}$/.test(l));
  if (line === undefined) throw new Error('No line with a 6-8 digit code in the email body');
  return line;
}

/** Parses one nodemailer-written .eml file into recipient, subject, Message-ID and decoded text. */
export function parseEml(raw: string): { to: string; subject: string; messageId: string; text: string } {
  const normalized = raw.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const headerBlock = split === -1 ? normalized : normalized.slice(0, split);
  const body = split === -1 ? '' : normalized.slice(split + 2);

  const headers = new Map<string, string>();
  // Unfold continuation lines (RFC 5322 §2.2.3) before splitting into fields.
  for (const line of headerBlock.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }

  const toHeader = headers.get('to') ?? '';
  const to = /<([^>]+)>/.exec(toHeader)?.[1] ?? toHeader;
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  return { to, subject: decodeEncodedWords(headers.get('subject') ?? ''), messageId: headers.get('message-id') ?? '', text: decodeBody(body, encoding) };
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function decodeQuotedPrintable(input: string): string {
  const withoutSoftBreaks = input.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < withoutSoftBreaks.length; i++) {
    const ch = withoutSoftBreaks[i] as string;
    const hex = withoutSoftBreaks.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 `=?charset?Q|B?...?=` words (nodemailer uses them for non-ASCII subjects). */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between adjacent encoded words is not content
    .replace(/=\?[^?]+\?([QqBb])\?([^?]*)\?=/g, (_, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function timeFromFileName(name: string): number {
  // `2030-01-02T03-04-05.678Z-<random>.eml`: the mailer replaced ':' by '-' in the time part.
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}\.\d{3}Z)/.exec(name);
  return match === null ? 0 : Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}`);
}
