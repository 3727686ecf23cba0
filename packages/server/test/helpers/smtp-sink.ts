/**
 * Test helper: a real SMTP server on a loopback port (the `smtp-server` package) that records
 * every message offered to it and answers each one as the test's policy says: accept it, refuse
 * it with a temporary error (451, as a mail server that is down or overloaded does), or hold the
 * answer until the test lets it go (a slow server, so a test can act while a delivery is under way).
 *
 *   const sink = await startSmtpSink((m) => (m.subject.includes('password') && m.attempt <= 2 ? 'refuse' : 'accept'));
 *   ... server with --smtp-url sink.url ...
 *   const mail = await sink.waitFor((m) => m.accepted && m.to === email);
 *   await sink.close();
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { parseEml } from '@latchkey/server/testing';

export interface OfferedMessage {
  /** Bare recipient address (the first envelope recipient). */
  readonly to: string;
  readonly subject: string;
  readonly messageId: string;
  readonly text: string;
  /** How many times a message with this Message-ID was offered, this one included. */
  readonly attempt: number;
  /** When its data had arrived (ms since the epoch). */
  readonly at: number;
  /** Whether the sink accepted it (known once the policy answered). */
  accepted: boolean;
}

/** What to answer: 'accept', 'refuse' (451), or a promise for one of those (the answer waits for it). */
export type SinkPolicy = (message: OfferedMessage) => 'accept' | 'refuse' | Promise<'accept' | 'refuse'>;

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, for `--smtp-url`. */
  readonly url: string;
  /** Every message offered so far, in order. */
  readonly offered: readonly OfferedMessage[];
  /** The policy can be changed at any time. */
  policy: SinkPolicy;
  /** Resolves with the first offered message matching `predicate` (checked as they arrive and once they are answered). */
  waitFor(predicate: (message: OfferedMessage) => boolean, timeoutMs?: number): Promise<OfferedMessage>;
  close(): Promise<void>;
}

export async function startSmtpSink(policy: SinkPolicy = () => 'accept'): Promise<SmtpSink> {
  const offered: OfferedMessage[] = [];
  const seen = new Map<string, number>();
  const sink: SmtpSink = {
    url: '',
    offered,
    policy,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = offered.find(predicate);
        if (found !== undefined) return found;
        if (Date.now() >= deadline) {
          const list = offered.map((m) => `${m.to} "${m.subject}" #${m.attempt} ${m.accepted ? 'accepted' : 'refused/held'}`).join('; ');
          throw new Error(`no matching SMTP message within ${timeoutMs} ms; offered: ${list || 'nothing'}`);
        }
        await sleep(20);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const parsed = parseEml(Buffer.concat(chunks).toString('utf8'));
        const attempt = (seen.get(parsed.messageId) ?? 0) + 1;
        seen.set(parsed.messageId, attempt);
        const rcpt = session.envelope.rcptTo[0]?.address ?? parsed.to;
        const message: OfferedMessage = {
          to: rcpt,
          subject: parsed.subject,
          messageId: parsed.messageId,
          text: parsed.text,
          attempt,
          at: Date.now(),
          accepted: false,
        };
        offered.push(message);
        void Promise.resolve(sink.policy(message)).then((answer) => {
          if (answer === 'accept') {
            message.accepted = true;
            callback();
          } else {
            callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          }
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (sink as { url: string }).url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return sink;
}
