// Sends one webhook request (docs/api.md, "Webhooks"): node:http/https, a POST with a time limit,
// no redirects followed (a 3xx is a failure), at most a little of the answer read. Unless private
// addresses are allowed, the host is resolved here and every address checked; the connection goes
// to the checked address (the `lookup` hands it to the socket), so DNS cannot switch it afterwards.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PostOutcome, WebhookRequest } from '../core/webhooks.ts';
import { ipLiteral, isPublicAddress } from './addresses.ts';

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** How much of an answer is kept (for the delivery log); the rest is never read. */
const MAX_ANSWER_BYTES = 1024;

export class RefusedAddressError extends Error {}

/** Resolves like dns.lookup, but fails unless every address the name has is public. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (addresses.length === 0 || refused) {
      return callback(new RefusedAddressError(`${hostname} resolves to a private or reserved address (${refused?.address ?? 'none'})`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

export function postWebhook(request: WebhookRequest, options: PostOptions): Promise<PostOutcome> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve({ kind: 'failed', error: 'invalid URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve({ kind: 'failed', error: 'not an http(s) URL' });
  const literal = ipLiteral(url.hostname);
  // A literal address skips `lookup` (the socket connects to it directly): checked here.
  if (!options.allowPrivate && literal !== null && !isPublicAddress(literal)) {
    return Promise.resolve({ kind: 'failed', error: `refused: ${literal} is a private or reserved address` });
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const req = send(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(request.body)), 'user-agent': 'Parley-Webhooks/1' },
      agent: false,
      lookup: options.allowPrivate ? undefined : publicOnlyLookup,
    });
    const timer = setTimeout(() => finish({ kind: 'failed', error: `timed out after ${options.timeoutMs} ms` }), options.timeoutMs);
    req.on('error', (err) => finish({ kind: 'failed', error: err instanceof RefusedAddressError ? `refused: ${err.message}` : err.message || String(err) }));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ kind: 'answered', status, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES) });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough to show in the log: the rest is not read (the connection is closed).
        if (size >= MAX_ANSWER_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.end(request.body);
  });
}
