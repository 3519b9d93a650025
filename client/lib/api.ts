// JSON over HTTP to Parley's own API, with its `{error:{code,message}}` bodies
// turned into ApiError.

import type { ErrorBody } from '../../server/protocol/errors.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, body: Partial<ErrorBody> | null) {
    super(body?.message ?? `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code ?? 'internal';
  }
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as (T & { error?: ErrorBody }) | null;
  if (!res.ok) throw new ApiError(res.status, data?.error ?? null);
  return data as T;
}

export async function logout(): Promise<void> {
  await api('POST', '/api/logout').catch(() => {});
  location.assign('/login');
}
