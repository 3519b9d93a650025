// A real SMTP server (the smtp-server package) on 127.0.0.1 for the email tests: it keeps every
// message it accepted (parsed by mailparser), can be stopped and started again on the same port (an
// outage), and can hold the next message without answering (a node stopped mid-send). It refuses
// every recipient named `nobody@…` for good (550), as a server does for an unknown mailbox.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { onTestFinished } from 'vitest';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface TestSmtp {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Resolves when `n` messages have been accepted (or rejects after `ms`). */
  count(n: number, ms?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The next message is read but not answered: resolves with it once it is in; `release(err)` answers it. */
  holdNext(): Promise<{ mail: ReceivedMail; release(error: Error | null): void }>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let holding: ((held: { mail: ReceivedMail; release(error: Error | null): void }) => void) | null = null;
  let server: SMTPServer;
  let port = 0;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('nobody@')) return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0].text : (parsed.to?.text ?? '');
            const mail: ReceivedMail = { to, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', messageId: parsed.messageId ?? '' };
            if (holding) {
              const h = holding;
              holding = null;
              h({ mail, release: (error) => callback(error) });
              return;
            }
            received.push(mail);
            callback(null);
            for (const w of waiters.splice(0)) w();
          },
          (err: Error) => callback(err),
        );
      },
    });

  async function start() {
    server = make();
    server.on('error', () => {});
    server.listen(port, '127.0.0.1');
    await once(server.server, 'listening');
    port = (server.server.address() as AddressInfo).port;
  }
  async function stop() {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await start();
  const smtp: TestSmtp = {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    received,
    async count(n, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} emails, got ${received.length}: ${received.map((m) => m.subject).join(', ')}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return received;
    },
    stop,
    start,
    holdNext() {
      return new Promise((resolve) => (holding = resolve));
    },
  };
  onTestFinished(() => stop().catch(() => {}));
  return smtp;
}
