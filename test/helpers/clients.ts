// Typed socket.io-client helpers shared by protocol, cluster and browser-less tests.

import { io, type Socket } from 'socket.io-client';
import type {
  AdminClientEvents,
  AdminServerEvents,
  AgentClientEvents,
  AgentServerEvents,
  VisitorClientEvents,
  VisitorServerEvents,
} from '../../server/protocol/events.ts';
import type { Ack } from '../../server/protocol/errors.ts';

export type Transport = 'websocket' | 'polling';
export type VisitorClient = Socket<VisitorServerEvents, VisitorClientEvents>;
export type AgentClient = Socket<AgentServerEvents, AgentClientEvents>;
export type AdminClient = Socket<AdminServerEvents, AdminClientEvents>;

export const TRANSPORTS: Transport[] = ['websocket', 'polling'];

/** Connects and resolves once connected; rejects with the connect_error message. */
export function connect<S extends Socket>(url: string, opts: { transport: Transport; cookie?: string; origin?: string; auth?: object }): Promise<S> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  const socket = io(url, {
    transports: [opts.transport],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  }) as unknown as S;
  const log: Array<[string, unknown]> = [];
  received.set(socket, log);
  (socket as unknown as { onAny(f: (ev: string, p: unknown) => void): void }).onAny((ev, p) => log.push([ev, p]));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error) => {
      socket.close();
      reject(err);
    });
  });
}

const received = new WeakMap<object, Array<[string, unknown]>>();

/**
 * Like next(), but also matches events that already arrived since connect. For
 * snapshots sent right on connect: over long-polling they can arrive in the
 * same HTTP response as the connect packet, before a listener could be added.
 */
export function arrived<T = unknown>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, ms = 5000): Promise<T> {
  const past = received.get(socket)?.find(([ev, p]) => ev === event && match(p as T));
  return past ? Promise.resolve(past[1] as T) : next(socket, event, match, ms);
}

/** Emits with an ack and resolves with it (or rejects after `ms`). */
export function request<T extends object = Record<string, unknown>>(socket: Socket, event: string, ...args: unknown[]): Promise<Ack<T>> {
  return (socket.timeout(5000) as unknown as { emitWithAck(ev: string, ...a: unknown[]): Promise<Ack<T>> }).emitWithAck(event, ...args);
}

/** Asserts success and returns the ack's payload. */
export async function ok<T extends object = Record<string, unknown>>(socket: Socket, event: string, ...args: unknown[]): Promise<T> {
  const ack = await request<T>(socket, event, ...args);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack as unknown as T;
}

/** Resolves with the next `event` payload matching `match`. */
export function next<T = unknown>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      (socket as unknown as { off(e: string, f: unknown): void }).off(event, handler);
      reject(new Error(`timed out waiting for "${event}"`));
    }, ms);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      (socket as unknown as { off(e: string, f: unknown): void }).off(event, handler);
      resolve(payload);
    };
    (socket as unknown as { on(e: string, f: unknown): void }).on(event, handler);
  });
}

/** Records every payload of `event` from now on. */
export function record<T = unknown>(socket: Socket, event: string): T[] {
  const list: T[] = [];
  (socket as unknown as { on(e: string, f: (p: T) => void): void }).on(event, (p: T) => list.push(p));
  return list;
}

/** Polls `check` until it returns truthy (or throws after `ms`). For eventual effects with no event to wait on. */
export async function eventually<T>(check: () => T | Promise<T>, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
