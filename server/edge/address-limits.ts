// Limits per client address, for what anyone can do without an account: create a visitor
// identity, open a connection. Counted in this process (each node limits on its own), in a map
// whose size is bounded: past MAX_ADDRESSES the oldest address is forgotten first.

import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

const MAX_ADDRESSES = 100_000;

/** A fixed-window count per address: at most `limit` per `windowMs`; a limit of 0 disables it. */
export interface AddressRate {
  take(address: string): boolean;
}

export function createAddressRate(limit: number, windowMs: number, now: () => number): AddressRate {
  if (limit === 0) return { take: () => true };
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(address) {
      const t = now();
      let w = windows.get(address);
      if (!w || t - w.start >= windowMs) {
        // Re-inserted, so the map's order stays oldest window first.
        windows.delete(address);
        if (windows.size >= MAX_ADDRESSES) windows.delete(windows.keys().next().value!);
        w = { start: t, count: 0 };
        windows.set(address, w);
      }
      w.count++;
      return w.count <= limit;
    },
  };
}

/**
 * Concurrent things per address (open connections), counted from open to close. `full()` is asked
 * before opening and `open()` counts what did open, so a handshake that fails half-way leaks nothing.
 */
export interface AddressGauge {
  full(address: string): boolean;
  open(address: string): void;
  close(address: string): void;
}

export function createAddressGauge(limit: number): AddressGauge {
  const open = new Map<string, number>();
  return {
    full: (address) => limit !== 0 && (open.get(address) ?? 0) >= limit,
    open(address) {
      open.set(address, (open.get(address) ?? 0) + 1);
    },
    close(address) {
      const n = (open.get(address) ?? 0) - 1;
      if (n <= 0) open.delete(address);
      else open.set(address, n);
    },
  };
}

/**
 * The client's address as express computes `req.ip` with the same `trust proxy` setting, for raw
 * requests express never sees (Socket.IO handshakes).
 */
export function clientAddressResolver(trustProxy: boolean | number | string): (req: IncomingMessage) => string {
  // express' own compileTrust, so both sides agree on who the client is.
  const trust: (address: string, hop: number) => boolean =
    trustProxy === true
      ? () => true
      : typeof trustProxy === 'number'
        ? (_address, hop) => hop < trustProxy
        : proxyAddr.compile(typeof trustProxy === 'string' ? trustProxy.split(',').map((s) => s.trim()) : []);
  return (req) => proxyAddr(req as Parameters<typeof proxyAddr>[0], trust);
}
