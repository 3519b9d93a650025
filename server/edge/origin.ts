// Origin checks shared by HTTP and Socket.IO. A browser always sends Origin on
// WebSocket handshakes and cross-site requests; a request without one is not
// from a foreign page (curl, server-to-server), so it is let through.

import type { IncomingMessage } from 'node:http';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The host this request was addressed to, as the browser saw it. */
export function requestHost(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = header(req, 'x-forwarded-host');
    if (forwarded) return forwarded.split(',')[0].trim();
  }
  return header(req, 'host');
}

export function originOf(req: IncomingMessage): string | null {
  const origin = header(req, 'origin');
  return origin === undefined || origin === '' ? null : origin;
}

export function isOwnOrigin(req: IncomingMessage, trustProxy: boolean): boolean {
  const origin = originOf(req);
  if (origin === null) return true;
  if (origin === 'null') return false;
  try {
    return new URL(origin).host === requestHost(req, trustProxy);
  } catch {
    return false;
  }
}

export function isAllowedOrigin(req: IncomingMessage, allowed: readonly string[], trustProxy: boolean): boolean {
  if (isOwnOrigin(req, trustProxy)) return true;
  const origin = originOf(req);
  return origin !== null && allowed.includes(origin);
}
