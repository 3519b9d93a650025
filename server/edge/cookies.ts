// Reading one cookie of a request's Cookie header, for the cookies Parley checks itself (the
// device cookie, the session cookie at a WebSocket handshake).

/**
 * The raw value of the first cookie named `name` in the Cookie header, found by a scan (no pattern
 * to backtrack; Node bounds headers to 16 KiB), or null.
 */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
