// Canned replies in the console: the list (the team's and the agent's own, from the server) and
// its changes. The `/` trigger, the filter and the placeholders are canned-text.ts's.

import { type Signal, signal } from '@preact/signals';
import type { CannedReply, CannedScope } from '../../server/protocol/agent-tools.ts';
import { api } from '../lib/api.ts';

export interface CannedStore {
  replies: Signal<CannedReply[]>;
  load(): Promise<void>;
  create(input: { scope: CannedScope; shortcut: string; body: string }): Promise<void>;
  update(id: string, patch: { shortcut?: string; body?: string }): Promise<void>;
  remove(id: string): Promise<void>;
}

export function createCannedStore(): CannedStore {
  const replies = signal<CannedReply[]>([]);
  const load = async () => {
    replies.value = (await api<{ replies: CannedReply[] }>('GET', '/api/canned-replies')).replies;
  };
  return {
    replies,
    load,
    async create(input) {
      await api('POST', '/api/canned-replies', input);
      await load();
    },
    async update(id, patch) {
      await api('PATCH', `/api/canned-replies/${encodeURIComponent(id)}`, patch);
      await load();
    },
    async remove(id) {
      await api('DELETE', `/api/canned-replies/${encodeURIComponent(id)}`);
      await load();
    },
  };
}
