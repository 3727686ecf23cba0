/**
 * Mailer: the outbox writes readable, complete .eml files and never logs bodies; SMTP delivery
 * reaches a real (local) SMTP server.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMailer, type OutgoingEmail } from '../src/mail/mailer.ts';
import { extractCode, parseEml, readOutbox, waitForEmail } from '@latchkey/server/testing';

const CODE = '482913';
// Non-ASCII and a long line force quoted-printable; the code line must still survive verbatim.
const MESSAGE: OutgoingEmail = {
  to: 'zoe@example.test',
  subject: 'Your Latchkey sign-in code — Zoë',
  text: [
    'Bonjour Zoë,',
    '',
    'Your verification code is:',
    '',
    CODE,
    '',
    `This code expires in 10 minutes. ${'If you did not ask for it, ignore this email. '.repeat(4)}`,
    '',
  ].join('\n'),
};

let dataDir: string;
let logs: Array<{ msg: string; fields?: Record<string, unknown> }>;
const log = (msg: string, fields?: Record<string, unknown>) => logs.push({ msg, ...(fields && { fields }) });

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-mail-'));
  logs = [];
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('outbox mailer (no SMTP configured)', () => {
  it('writes a complete, readable .eml with the code on a line of its own', async () => {
    const mailer = createMailer({ smtpFrom: 'Latchkey <latchkey@localhost>', dataDir }, log);
    const before = Date.now();
    await mailer.send(MESSAGE);
    await mailer.close();

    const files = await readdir(path.join(dataDir, 'outbox'));
    expect(files).toHaveLength(1);
    const file = files[0] as string;
    expect(file).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]+\.eml$/);

    const raw = await readFile(path.join(dataDir, 'outbox', file), 'utf8');
    expect(raw).not.toContain('\r\n');
    expect(raw).toMatch(/^From: Latchkey <latchkey@localhost>$/m);
    expect(raw).toMatch(/^To: zoe@example\.test$/m);
    expect(raw).toMatch(/^Message-ID: </m);
    expect(raw).toMatch(/^Content-Transfer-Encoding: (quoted-printable|7bit|8bit)$/m);
    // Readable without decoding: the code is a raw line of its own.
    expect(raw.split('\n')).toContain(CODE);

    const parsed = parseEml(raw);
    expect(parsed.to).toBe(MESSAGE.to);
    expect(parsed.subject).toBe(MESSAGE.subject);
    expect(parsed.text.trimEnd()).toBe(MESSAGE.text.trimEnd());
    expect(extractCode(parsed.text)).toBe(CODE);

    const found = await waitForEmail(dataDir, { to: 'ZOE@example.test', subjectIncludes: 'sign-in', after: before }, 1000);
    expect(found.text).toContain(CODE);
    expect(found.sentAt).toBeGreaterThanOrEqual(before);
  });

  it('logs recipient and subject but never the body', async () => {
    const mailer = createMailer({ smtpFrom: 'Latchkey <latchkey@localhost>', dataDir }, log);
    await mailer.send(MESSAGE);
    expect(logs).toHaveLength(1);
    const line = JSON.stringify(logs);
    expect(line).toContain(MESSAGE.to);
    expect(line).toContain('sign-in code');
    expect(line).not.toContain(CODE);
    expect(line).not.toContain('verification code is');
  });

  it('writes concurrent messages to distinct files, private to the server user', async () => {
    const mailer = createMailer({ smtpFrom: 'Latchkey <latchkey@localhost>', dataDir }, log);
    await Promise.all(Array.from({ length: 20 }, (_, i) => mailer.send({ to: `u${i}@example.test`, subject: `n${i}`, text: `${100000 + i}\n` })));
    const emails = await readOutbox(dataDir);
    expect(emails).toHaveLength(20);
    expect(new Set(emails.map((e) => e.to)).size).toBe(20);
    // No temp file left behind.
    expect((await readdir(path.join(dataDir, 'outbox'))).every((n) => n.endsWith('.eml'))).toBe(true);
    const mode = (await stat(emails[0]?.file as string)).mode & 0o777;
    expect(mode & 0o077).toBe(0);
  });

  it('waitForEmail reports what the outbox holds when nothing matches', async () => {
    await expect(waitForEmail(dataDir, { to: 'nobody@example.test' }, 100)).rejects.toThrow(/outbox holds: nothing/);
    expect(() => extractCode('no code here\n12345\n')).toThrow();
    expect(extractCode('Code:\n  12345678  \n999999\n')).toBe('12345678');
  });
});

describe('SMTP mailer', () => {
  let server: SMTPServer;
  let received: Array<{ from: string | undefined; to: string[]; raw: string }>;
  let port: number;

  beforeEach(async () => {
    received = [];
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers the message to the SMTP server and writes no outbox file', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: 'Latchkey <latchkey@localhost>', dataDir }, log);
    await mailer.send(MESSAGE);
    await mailer.close();

    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail?.from).toBe('latchkey@localhost');
    expect(mail?.to).toEqual(['zoe@example.test']);
    const parsed = parseEml(mail?.raw ?? '');
    expect(parsed.subject).toBe(MESSAGE.subject);
    expect(extractCode(parsed.text)).toBe(CODE);
    expect(await readOutbox(dataDir)).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(CODE);
  });
});
