// `npm run bench:store`: what storing one message costs the embedded SQLite
// store, apart from any socket. It appends messages to 2,000 active
// conversations (half from visitors, half from agents, each to a random
// conversation) in bursts of 1, 5 and 50 concurrent appends — 5 is about what
// one group commit carries in the steady scenario, 50 what it carries at
// saturation — and prints the CPU and wall time per message three ways:
//
//   memory   an in-memory database: the SQL and JavaScript work alone
//   wal      the WAL database without its fdatasync: plus the WAL pages each COMMIT writes
//   durable  the store as Parley runs it: plus the fdatasync before every ack
//
// CPU is the whole process's (process.cpuUsage), so the thread pool's share of
// the sync counts, as it does for a server pinned to one core.
// Flags: --conversations N (2000), --messages N per burst size and mode (20000),
// --json (the figures as JSON on stdout instead of the table).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newClientId } from '../client/lib/ids.ts';
import { openSqliteDatabase, SqliteStore } from '../server/store/sqlite/sqlite-store.ts';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '2000' },
    messages: { type: 'string', default: '20000' },
    json: { type: 'boolean', default: false },
  },
});
const conversations = Number(args.conversations);
const messages = Number(args.messages);
if (!Number.isInteger(conversations) || conversations < 1) throw new Error('--conversations must be a positive whole number');
if (!Number.isInteger(messages) || messages < 1) throw new Error('--messages must be a positive whole number');

const BURSTS = [1, 5, 50];
const MODES = ['memory', 'wal', 'durable'] as const;
type Mode = (typeof MODES)[number];
const body = `${(123456.789).toFixed(3)} ${'x'.repeat(48)}`;

async function openStore(mode: Mode, dir: string): Promise<SqliteStore> {
  if (mode === 'memory') return new SqliteStore(openSqliteDatabase(':memory:').db, null);
  const { db, walPath } = openSqliteDatabase(join(dir, `${mode}.db`));
  if (walPath === null) throw new Error('this file system has no WAL mode: nothing to compare');
  return new SqliteStore(db, mode === 'durable' ? walPath : null);
}

async function measure(mode: Mode, dir: string): Promise<Record<number, { cpu: number; wall: number }>> {
  const store = await openStore(mode, dir);
  await store.migrate();
  const created = await store.createAgent({ email: 'store-cost@example.com', name: 'Agent', role: 'agent', passwordHash: 'unused' });
  if (created.kind !== 'created') throw new Error(`createAgent: ${created.kind}`);
  const { agent } = created;
  const open: Array<{ id: string; visitorId: string }> = [];
  for (let i = 0; i < conversations; i++) {
    const visitor = await store.createVisitor({ name: `Visitor ${i}`, email: null });
    const opened = await store.openConversation({ id: visitor.id, name: visitor.name }, Date.now());
    if (opened.kind !== 'ok') throw new Error(`openConversation: ${opened.kind}`);
    const { conversation } = opened;
    const claimed = await store.claim(conversation.id, { id: agent.id, name: agent.name });
    if (claimed.kind !== 'ok') throw new Error(`claim: ${claimed.kind}`);
    open.push({ id: conversation.id, visitorId: visitor.id });
  }
  const result: Record<number, { cpu: number; wall: number }> = {};
  for (const burst of BURSTS) {
    // Ids and targets are made before the clock starts: only the store is measured.
    const plan = Array.from({ length: messages }, (_, i) => ({ c: open[Math.floor(Math.random() * open.length)], visitor: i % 2 === 0, clientId: newClientId() }));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < plan.length; i += burst) {
      const appends = plan.slice(i, i + burst).map(({ c, visitor, clientId }) => {
        const createdAt = Date.now();
        return visitor
          ? store.appendVisitorMessage(c.visitorId, { clientId, body, createdAt })
          : store.appendMessage({ conversationId: c.id, clientId, authorKind: 'agent', authorId: agent.id, authorName: agent.name, body, createdAt, assignedTo: agent.id });
      });
      for (const r of await Promise.all(appends)) if (r.kind !== 'created') throw new Error(`append: ${r.kind}`);
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    result[burst] = { cpu: (cpu.user + cpu.system) / messages, wall: (wall * 1000) / messages };
  }
  await store.close();
  return result;
}

const dir = mkdtempSync(join(tmpdir(), 'parley-store-cost-'));
try {
  const figures = new Map<Mode, Record<number, { cpu: number; wall: number }>>();
  for (const mode of MODES) figures.set(mode, await measure(mode, dir));
  const rows: string[] = [];
  const cell = (v: number) => v.toFixed(1).padStart(9);
  rows.push(`store cost per message — ${conversations.toLocaleString('en-US')} conversations, ${messages.toLocaleString('en-US')} messages per cell`);
  rows.push(`${'mode'.padEnd(10)}${BURSTS.map((b) => `cpu µs @${b}`.padStart(12) + `wall µs @${b}`.padStart(13)).join('')}`);
  for (const mode of MODES) {
    const f = figures.get(mode)!;
    rows.push(`${mode.padEnd(10)}${BURSTS.map((b) => `${cell(f[b].cpu)}   ${cell(f[b].wall)}    `).join('')}`);
  }
  process.stdout.write(
    args.json ? `${JSON.stringify({ conversations, messages, bursts: BURSTS, figures: Object.fromEntries(figures) })}\n` : `${rows.join('\n')}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
