// API tokens for tests: an admin creates one over the dashboard's endpoint; requests carry it.

import type { ApiScope, CreatedApiToken } from '../../server/protocol/api-tokens.ts';
import type { TestApp } from './start-app.ts';

export async function adminCookie(t: TestApp): Promise<string> {
  return (await t.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;
}

export async function createToken(t: TestApp, cookie: string, scopes: ApiScope[], name = scopes.join(' ')): Promise<CreatedApiToken> {
  const res = await t.http('/api/tokens', { method: 'POST', cookie, json: { name, scopes } });
  if (res.status !== 201) throw new Error(`create token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: CreatedApiToken }).token;
}

/** A request to the REST API with this token. */
export function api(t: TestApp, secret: string | null, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return t.http(path, { method: init.method, json: init.json, headers: secret === null ? {} : { authorization: `Bearer ${secret}` } });
}
