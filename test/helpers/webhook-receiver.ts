// A real HTTP receiver for webhook tests (node:http on 127.0.0.1): records every request with its
// raw body and answers as the test says (a status, or holding the request open). Closed with the test.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface ReceivedHook {
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
  /** When the whole request had arrived (Date.now()). */
  receivedAt: number;
  /** The status answered (null: held, or the connection closed first). */
  answered: number | null;
}

/** How to answer one request: a status (and headers), or 'hold' (never answer). */
export type Answer = { status: number; headers?: Record<string, string> } | 'hold';

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Decides each answer (default 200). */
  answer: (hook: ReceivedHook, index: number) => Answer;
  /** Resolves once `n` requests were received. */
  count(n: number): Promise<ReceivedHook[]>;
  /** Resolves with the first request matching `match` (already received or to come). */
  next(match: (hook: ReceivedHook) => boolean): Promise<ReceivedHook>;
}

export async function startReceiver(): Promise<Receiver> {
  const waiters = new Set<() => boolean>();
  const held: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    answer: () => ({ status: 200 }),
    count(n) {
      return new Promise((resolve) => {
        const check = () => {
          if (receiver.received.length < n) return false;
          resolve(receiver.received.slice(0, n));
          return true;
        };
        if (!check()) waiters.add(check);
      });
    },
    next(match) {
      return new Promise((resolve) => {
        const check = () => {
          const found = receiver.received.find(match);
          if (found) resolve(found);
          return found !== undefined;
        };
        if (!check()) waiters.add(check);
      });
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const hook: ReceivedHook = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')), receivedAt: Date.now(), answered: null };
      const index = receiver.received.length;
      receiver.received.push(hook);
      const answer = receiver.answer(hook, index);
      if (answer === 'hold') held.push(res);
      else {
        hook.answered = answer.status;
        res.writeHead(answer.status, answer.headers ?? {}).end('ok');
      }
      for (const w of [...waiters]) if (w()) waiters.delete(w);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  onTestFinished(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return receiver;
}

/** The verification snippet of docs/api.md, run as written. */
export function documentedVerifier(): (rawBody: Buffer | string, header: string | undefined, secret: string) => boolean {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'api.md'), 'utf8');
  const block = /<!-- webhook-verify:start -->\n```js\n([\s\S]*?)```\n<!-- webhook-verify:end -->/.exec(doc);
  if (!block) throw new Error('the verification snippet is missing from docs/api.md');
  // Running the documentation's code, as a reader would paste it, is the point.
  return new Function('require', `${block[1]}\nreturn verifyParleySignature;`)(createRequire(import.meta.url));
}
