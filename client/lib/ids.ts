// Client-generated message ids (`clientId`): the same id on every retry lets
// the server de-duplicate a resend. Time-ordered (the UUID version 7 layout:
// 48-bit epoch milliseconds, then random bits), so a conversation's new ids
// land at the end of the server's dedupe index instead of anywhere in it.
// Any unique string works for the server; this is the cheap kind.

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function newClientId(now: number = Date.now()): string {
  // getRandomValues, not randomUUID: the latter needs a secure context, and plain-http deployments exist.
  const random = crypto.getRandomValues(new Uint8Array(10));
  random[0] = (random[0] & 0x0f) | 0x70; // version 7
  random[2] = (random[2] & 0x3f) | 0x80; // RFC 9562 variant
  const time = Math.max(0, Math.trunc(now)).toString(16).padStart(12, '0').slice(-12);
  const r = hex(random);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${r.slice(0, 4)}-${r.slice(4, 8)}-${r.slice(8, 20)}`;
}
