// The session cookie's name and its signature check: shared by express-session's set-up (http/)
// and the WebSocket handshake (realtime/), which reads the id without reading the session.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { cookieValue } from './cookies.ts';

export const SESSION_COOKIE = 'parley.sid';

/**
 * The session id a request's cookie names, when its signature is this secret's: what express-session
 * finds before it reads the session, without reading it (nor building a Session). Signed as
 * express-session signs it: `s:` + id + `.` + unpadded base64 HMAC-SHA256 of the id, URI-encoded;
 * the first cookie of that name counts.
 */
export function signedSessionId(cookieHeader: string | undefined, secret: string): string | undefined {
  const raw = cookieValue(cookieHeader, SESSION_COOKIE);
  if (raw === null) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  if (!value.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 2) return undefined;
  const id = value.slice(2, dot);
  const mac = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, ''));
  return mac.length === expected.length && timingSafeEqual(mac, expected) ? id : undefined;
}
