// `npm run bench:reports`: how long a report takes on a year of data. Seeds a database with
// 100,000 conversations spread over 365 days (20 agents; 95 % claimed, answered and closed,
// 5 % closed from the queue unanswered) and 1,000,000 messages (10 per conversation), then asks
// for reports through the same path GET /api/reports/summary takes (server/core/reports.ts over
// the store: the indexed range scans and the figures computed in JavaScript, in Europe/Paris):
// the last 30 days (the target: under 1 s), the last 7 days, one agent's 30 days, and the year.
// Each is asked --runs times after one warm-up; the table gives the median and the slowest.
//
// SQLite: a WAL database file in a temp dir, as the server opens it. PostgreSQL: --postgres-url, or
// a private server started for the run (test/helpers/services.ts: fsync off, which reads do not
// feel), ANALYZEd after the seed as autovacuum would.
// Flags: --engines sqlite,postgres --conversations N --messages-per N --runs N --postgres-url URL --json

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { ReportQuery } from '../server/core/report-range.ts';
import { createReports } from '../server/core/reports.ts';
import { createLogger } from '../server/logger.ts';
import { openPostgresStore } from '../server/store/postgres/postgres-store.ts';
import { openSqliteDatabase, SqliteStore } from '../server/store/sqlite/sqlite-store.ts';
import type { Store } from '../server/store/store.ts';
import { startPostgres } from '../test/helpers/services.ts';

const { values: args } = parseArgs({
  options: {
    engines: { type: 'string', default: 'sqlite,postgres' },
    conversations: { type: 'string', default: '100000' },
    'messages-per': { type: 'string', default: '10' },
    runs: { type: 'string', default: '7' },
    'postgres-url': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const conversations = Number(args.conversations);
const perConversation = Number(args['messages-per']);
const runs = Number(args.runs);
const engines = args.engines.split(',') as Array<'sqlite' | 'postgres'>;
for (const [name, n] of [['--conversations', conversations], ['--messages-per', perConversation], ['--runs', runs]] as const) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
}
if (engines.some((e) => e !== 'sqlite' && e !== 'postgres')) throw new Error('--engines: sqlite, postgres or both');

const DAY = 86_400_000;
/** The report's "now": the end of the seeded year. */
const END = Date.parse('2026-11-30T00:00:00Z');
const START = END - 365 * DAY;
const AGENTS = 20;

/**
 * The seed as SQL both engines run (integer arithmetic on a row number, no random(): the same data
 * in each): conversation i opens at START + i·step; waits 5 s–10 min for a claim, the reply comes
 * 10 s–5 min later, it closes 5–60 min after opening; every 20th is closed from the queue.
 */
function seedSql(engine: 'sqlite' | 'postgres'): string[] {
  const step = Math.floor((365 * DAY) / conversations);
  const rows =
    engine === 'sqlite'
      ? `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${conversations - 1}) SELECT i FROM n`
      : `SELECT i::bigint AS i FROM generate_series(0, ${conversations - 1}) AS i`;
  const messageNumbers =
    engine === 'sqlite'
      ? `(WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < ${perConversation}) SELECT k FROM s) AS s`
      : `generate_series(1, ${perConversation}) AS s(k)`;
  const lastSeq = engine === 'postgres' ? 'last_seq, ' : '';
  const lastSeqValue = engine === 'postgres' ? `${perConversation}, ` : '';
  const agents = Array.from({ length: AGENTS }, (_, a) => `('bench-agent-${a}', 'agent${a}@example.com', 'Agent ${a}', 'agent', 'x', 0)`).join(', ');
  return [
    `INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ${agents}`,
    `INSERT INTO conversations (id, visitor_id, visitor_name, status, agent_id, agent_name, ${lastSeq}queued_at, created_at, closed_at, claimed_at, claimed_by, first_reply_at)
     SELECT 'c' || i, 'v' || i, 'Visitor', 'closed',
       CASE WHEN i % 20 = 0 THEN NULL ELSE 'bench-agent-' || (i % ${AGENTS}) END,
       CASE WHEN i % 20 = 0 THEN NULL ELSE 'Agent' END,
       ${lastSeqValue}
       ${START} + i * ${step}, ${START} + i * ${step},
       ${START} + i * ${step} + (300 + (i * 7919) % 3300) * 1000,
       CASE WHEN i % 20 = 0 THEN NULL ELSE ${START} + i * ${step} + (5 + (i * 104729) % 595) * 1000 END,
       CASE WHEN i % 20 = 0 THEN NULL ELSE 'bench-agent-' || (i % ${AGENTS}) END,
       CASE WHEN i % 20 = 0 THEN NULL ELSE ${START} + i * ${step} + (5 + (i * 104729) % 595) * 1000 + (10 + (i * 31) % 290) * 1000 END
     FROM (${rows}) AS n`,
    `INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
     SELECT c.id || '-' || s.k, c.id, s.k, 'k' || c.id || '-' || s.k,
       CASE WHEN s.k % 2 = 1 OR c.agent_id IS NULL THEN 'visitor' ELSE 'agent' END,
       coalesce(CASE WHEN s.k % 2 = 0 THEN c.agent_id END, c.visitor_id), 'Someone',
       'a message of about the length people write, sixty-four bytes long', c.created_at + s.k * 1000
     FROM conversations c, ${messageNumbers}`,
  ];
}

interface Case {
  name: string;
  query: ReportQuery;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const CASES: Case[] = [
  { name: '30 days', query: { from: day(END - 30 * DAY), to: day(END - DAY), tz: 'Europe/Paris' } },
  { name: '7 days', query: { from: day(END - 7 * DAY), to: day(END - DAY), tz: 'Europe/Paris' } },
  { name: '30 days, one agent', query: { from: day(END - 30 * DAY), to: day(END - DAY), tz: 'Europe/Paris', agentId: 'bench-agent-3' } },
  { name: '365 days', query: { from: day(END - 365 * DAY), to: day(END - DAY), tz: 'Europe/Paris' } },
];

interface Figures {
  engine: string;
  seedSeconds: number;
  cases: Array<{ name: string; conversations: number; medianMs: number; maxMs: number }>;
}

async function measure(engine: 'sqlite' | 'postgres', store: Store, seed: () => Promise<void>): Promise<Figures> {
  const t0 = performance.now();
  await seed();
  const seedSeconds = (performance.now() - t0) / 1000;
  const reports = createReports({ store, clock: { now: () => END } });
  const cases: Figures['cases'] = [];
  for (const c of CASES) {
    const first = await reports.summary(c.query);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await reports.summary(c.query);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    cases.push({ name: c.name, conversations: first.report.totals.opened, medianMs: times[Math.floor(times.length / 2)], maxMs: times.at(-1)! });
  }
  return { engine, seedSeconds, cases };
}

async function sqlite(dir: string): Promise<Figures> {
  const { db, walPath } = openSqliteDatabase(join(dir, 'reports.db'));
  const store = new SqliteStore(db, walPath);
  await store.migrate();
  try {
    return await measure('sqlite', store, async () => {
      db.exec('BEGIN');
      for (const sql of seedSql('sqlite')) db.exec(sql);
      db.exec('COMMIT');
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    });
  } finally {
    await store.close();
  }
}

async function postgres(): Promise<Figures> {
  const server = args['postgres-url'] ? null : await startPostgres();
  try {
    const url = args['postgres-url'] ?? (await server!.createDatabase());
    // Errors only: the pool's clients still closing when the private server stops report it as a warning.
    const store = await openPostgresStore(url, { poolSize: 4, logger: createLogger('error', process.stderr) });
    await store.migrate();
    try {
      return await measure('postgres', store, async () => {
        const pool = new pg.Pool({ connectionString: url, max: 1 });
        try {
          for (const sql of seedSql('postgres')) await pool.query(sql);
          await pool.query('VACUUM ANALYZE');
        } finally {
          await pool.end();
        }
      });
    } finally {
      await store.close();
    }
  } finally {
    await server?.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-reports-'));
try {
  const all: Figures[] = [];
  for (const engine of engines) all.push(engine === 'sqlite' ? await sqlite(dir) : await postgres());
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ conversations, messages: conversations * perConversation, runs, results: all })}\n`);
  } else {
    const lines = [
      `reports — ${conversations.toLocaleString('en-US')} conversations, ${(conversations * perConversation).toLocaleString('en-US')} messages over 365 days; median and slowest of ${runs} runs`,
      `${'engine'.padEnd(10)}${'report'.padEnd(22)}${'conversations'.padStart(14)}${'median ms'.padStart(12)}${'max ms'.padStart(10)}`,
    ];
    for (const f of all) {
      for (const c of f.cases) {
        lines.push(`${f.engine.padEnd(10)}${c.name.padEnd(22)}${c.conversations.toLocaleString('en-US').padStart(14)}${c.medianMs.toFixed(1).padStart(12)}${c.maxMs.toFixed(1).padStart(10)}`);
      }
      lines.push(`${f.engine.padEnd(10)}(seeded in ${f.seedSeconds.toFixed(1)} s)`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
