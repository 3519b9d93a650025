// The scenario's people: agents and an admin written straight into the database before the
// nodes start, and sign-ins and visitor sessions over HTTP through the load balancer.

import { randomBytes, scrypt } from 'node:crypto';
import type { Agent, Role, Visitor } from '../../server/protocol/shapes.ts';
import type { Store } from '../../server/store/store.ts';
import { cookieOf } from '../helpers/start-app.ts';

export interface Account {
  email: string;
  name: string;
  password: string;
  role: Role;
}

/**
 * A password hash in the product's stored form (`scrypt$N$r$p$salt$key`, server/core/passwords.ts)
 * at a test cost: the form names its cost and verification reads it from there, so 50 agents
 * sign in in milliseconds instead of 160 ms each on one hashing slot per node.
 */
async function cheapHash(password: string): Promise<string> {
  const N = 1024;
  const r = 8;
  const p = 1;
  const salt = randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, 32, { N, r, p }, (err, k) => (err ? reject(err) : resolve(k))),
  );
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function seedAccounts(store: Store, agents: number): Promise<{ admin: Account; agents: Account[] }> {
  const make = (i: number | 'admin'): Account =>
    i === 'admin'
      ? { email: 'admin@faults.test', name: 'Admin', password: 'admin password', role: 'admin' }
      : { email: `agent${i}@faults.test`, name: `Agent ${i}`, password: `agent ${i} password`, role: 'agent' };
  const admin = make('admin');
  const list = Array.from({ length: agents }, (_, i) => make(i));
  for (const a of [admin, ...list]) {
    const result = await store.createAgent({ email: a.email, name: a.name, role: a.role, passwordHash: await cheapHash(a.password) });
    if (result.kind !== 'created') throw new Error(`seeding ${a.email}: ${result.kind}`);
  }
  return { admin, agents: list };
}

async function post(base: string, path: string, body: unknown): Promise<Response> {
  // Same-origin, as the sign-in page and the widget are.
  return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify(body) });
}

/** Retries while the balancer has no node to offer (a scenario may sign people in mid-fault). */
async function postRetrying(base: string, path: string, body: unknown): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await post(base, path, body).catch(() => null);
    if (res && res.status < 500) return res;
    if (attempt >= 20) throw new Error(`${path}: ${res ? `${res.status} ${await res.text()}` : 'no answer'}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function signIn(base: string, account: Account): Promise<{ agent: Agent; cookie: string }> {
  const res = await postRetrying(base, '/api/login', { email: account.email, password: account.password });
  if (res.status !== 200) throw new Error(`login ${account.email}: ${res.status} ${await res.text()}`);
  const { agent } = (await res.json()) as { agent: Agent };
  return { agent, cookie: cookieOf(res) };
}

export async function visitorSession(base: string, name: string): Promise<{ visitor: Visitor; cookie: string }> {
  const res = await postRetrying(base, '/api/visitor/session', { name });
  if (res.status !== 200) throw new Error(`visitor session: ${res.status} ${await res.text()}`);
  const { visitor } = (await res.json()) as { visitor: Visitor };
  return { visitor, cookie: cookieOf(res) };
}
