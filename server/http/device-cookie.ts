// The device cookie: set on a successful login, it marks the browser as one the agent signed in on.
// Login throttling spares such a browser the account's lock (an attacker who knows an agent's email
// must not be able to keep that agent out), so the cookie is signed, httpOnly, and sent to the
// login endpoint only.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieValue } from '../edge/cookies.ts';

export const DEVICE_COOKIE = 'parley.device';
const VERSION = 'd1';
const MAX_AGE_S = 365 * 24 * 60 * 60;
/** Ids are short; a longer value is not ours and is not parsed. */
const MAX_VALUE_LENGTH = 256;

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function readDeviceCookie(req: Request, secret: string): { agentId: string; deviceId: string } | null {
  const value = cookieValue(req.headers.cookie, DEVICE_COOKIE);
  if (value === null || value.length > MAX_VALUE_LENGTH) return null;
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  const [, agentId, deviceId, mac] = parts;
  const expected = Buffer.from(sign(secret, `${VERSION}.${agentId}.${deviceId}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { agentId, deviceId };
}

export function setDeviceCookie(req: Request, res: Response, secret: string, agentId: string): void {
  // Keep the browser's device id across logins, so its own failures stay counted under one key.
  const deviceId = readDeviceCookie(req, secret)?.deviceId ?? randomBytes(12).toString('base64url');
  const payload = `${VERSION}.${agentId}.${deviceId}`;
  res.cookie(DEVICE_COOKIE, `${payload}.${sign(secret, payload)}`, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/api/login',
    maxAge: MAX_AGE_S * 1000,
  });
}
