// Creates the identities a bench run connects as, through Parley's real HTTP
// API: agents created by an admin (POST /api/agents) and logged in
// (POST /api/login), visitors with a session each (POST /api/visitor/session).
// Done once per invocation: the sessions live in the database that every run
// then starts from a copy of (a restart loses nothing, SPEC §2).

import { mapLimit } from '../lib/stats.ts';
import type { Identities, SeedNeeds } from './topology.ts';

export interface Seeded extends Identities {
  adminCookie: string;
}

function cookieOf(res: Response): string {
  const sid = res.headers.getSetCookie().find((c) => c.startsWith('parley.sid='));
  if (!sid) throw new Error(`no session cookie in response (${res.status})`);
  return sid.split(';')[0];
}

async function post(url: string, body: unknown, cookie?: string): Promise<Response> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res;
}

export async function login(url: string, email: string, password: string): Promise<string> {
  return cookieOf(await post(`${url}/api/login`, { email, password }));
}

export async function seedIdentities(url: string, admin: { email: string; password: string }, needs: SeedNeeds): Promise<Seeded> {
  const adminCookie = await login(url, admin.email, admin.password);
  const password = 'bench-agent-password';
  // Password hashing is deliberately slow (scrypt, on the thread pool): a few agents at a time,
  // while the visitors' sessions are created on the event loop alongside.
  const [agents, visitors] = await Promise.all([
    mapLimit(Array.from({ length: needs.agents }, (_, i) => i), 4, async (i) => {
      const email = `agent-${i}@bench.example.com`;
      await post(`${url}/api/agents`, { email, name: `Agent ${i}`, password, role: 'agent' }, adminCookie);
      return login(url, email, password);
    }),
    // Many at a time: each is two durable writes, and concurrent ones share a group commit (idle-50k seeds 55,000).
    mapLimit(Array.from({ length: needs.visitors }, (_, i) => i), 128, async (i) =>
      cookieOf(await post(`${url}/api/visitor/session`, { name: `Visitor ${i}` })),
    ),
  ]);
  return { adminCookie, agents, visitors };
}
