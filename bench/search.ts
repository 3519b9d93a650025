// `npm run bench:search`: how long a search takes on a year of data. Seeds a database with
// 100,000 conversations (a year, 20 agents, 2 % still active) and 1,000,000 messages (10 per
// conversation) whose bodies are 6–14 words drawn from a 3,000-word vocabulary with a Zipf-like
// skew (a few words in a large share of messages, most words rare), then asks through the path
// GET /api/search takes (server/core/search.ts over the store: the full-text index, the agent's
// permission filter, the ranking, the snippets) for words of every frequency, as an admin and as
// an agent. Each query is asked --runs times after one warm-up; the table gives the median and the
// slowest, and how many messages the query matches. The target: every query under 200 ms.
//
// SQLite: a WAL database file in a temp dir, as the server opens it (the FTS5 index filled by the
// migration's trigger as the seed inserts). PostgreSQL: --postgres-url, or a private server started
// for the run (test/helpers/services.ts), ANALYZEd after the seed as autovacuum would.
// Flags: --engines sqlite,postgres --conversations N --messages-per N --runs N --postgres-url URL --json

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createSearch } from '../server/core/search.ts';
import { createLogger } from '../server/logger.ts';
import { SEARCH_CANDIDATES, searchTerms } from '../server/protocol/search.ts';
import { MESSAGES_SQL, tsQuery } from '../server/store/postgres/search.ts';
import { ftsQuery } from '../server/store/sqlite/search.ts';
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
    /** PostgreSQL: print the plan (EXPLAIN ANALYZE) of each query's message search. */
    explain: { type: 'boolean', default: false },
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
const END = Date.parse('2026-11-30T00:00:00Z');
const START = END - 365 * DAY;
const AGENTS = 20;
const VOCABULARY = 3000;
/** Distinct bodies; message n takes body (n · 7919) mod BODIES. */
const BODIES = 50_000;

/** A deterministic generator (mulberry32): the same data on every run and engine. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'fu', 'go', 'hi', 'ja', 'pe', 'zu', 'cor', 'tal', 'ven', 'dri'];
const SUPPORT = ['refund', 'invoice', 'shipping', 'password', 'order', 'delivery', 'account', 'payment', 'broken', 'cancel'];
/** Word w: the support words first (the most frequent), then made-up ones of 2–4 syllables. */
const vocabulary: string[] = (() => {
  const rnd = random(7);
  const words = new Set(SUPPORT);
  while (words.size < VOCABULARY) {
    const n = 2 + Math.floor(rnd() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(rnd() * SYLLABLES.length)]).join(''));
  }
  return [...words];
})();

function bodies(): string[] {
  const rnd = random(11);
  return Array.from({ length: BODIES }, () => {
    const n = 6 + Math.floor(rnd() * 9);
    // Zipf-like: word rank ~ V^u, u uniform — a few words everywhere, most words rare.
    return Array.from({ length: n }, () => vocabulary[Math.min(VOCABULARY - 1, Math.floor(VOCABULARY ** rnd()) - 1)]).join(' ');
  });
}

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
  const num = engine === 'sqlite' ? `CAST(substr(c.id, 2) AS INTEGER)` : `substr(c.id, 2)::bigint`;
  // Time-ordered ids, as the server's (server/store/ids.ts): the newest matches are the highest ids.
  const messageId = engine === 'sqlite' ? `printf('m%010d-%03d', ${num}, s.k)` : `'m' || lpad(${num}::text, 10, '0') || '-' || lpad(s.k::text, 3, '0')`;
  const agents = Array.from({ length: AGENTS }, (_, a) => `('bench-agent-${a}', 'agent${a}@example.com', 'Agent ${a}', 'agent', 'x', 0)`).join(', ');
  return [
    `INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ${agents}`,
    `INSERT INTO visitors (id, name, email, created_at) SELECT 'v' || i, 'Visitor ' || i, 'visitor' || i || '@example.com', ${START} + i * ${step} FROM (${rows}) AS n`,
    // The last 2 % are still active (each with its agent): what a non-admin may not see of others'.
    `INSERT INTO conversations (id, visitor_id, visitor_name, status, agent_id, agent_name, ${lastSeq}queued_at, created_at, closed_at)
     SELECT 'c' || i, 'v' || i, 'Visitor ' || i, CASE WHEN i >= ${Math.floor(conversations * 0.98)} THEN 'active' ELSE 'closed' END,
       'bench-agent-' || (i % ${AGENTS}), 'Agent', ${lastSeqValue}
       ${START} + i * ${step}, ${START} + i * ${step},
       CASE WHEN i >= ${Math.floor(conversations * 0.98)} THEN NULL ELSE ${START} + i * ${step} + 600000 END
     FROM (${rows}) AS n`,
    `INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
     SELECT ${messageId}, c.id, s.k, 'k' || c.id || '-' || s.k,
       CASE WHEN s.k % 2 = 1 THEN 'visitor' ELSE 'agent' END,
       CASE WHEN s.k % 2 = 1 THEN c.visitor_id ELSE c.agent_id END, 'Someone',
       b.body, c.created_at + s.k * 1000
     FROM conversations c CROSS JOIN ${messageNumbers}
     JOIN bench_bodies b ON b.n = ((${num} * ${perConversation} + s.k) * 7919) % ${BODIES}`,
    'DROP TABLE bench_bodies',
  ];
}

/** Queries of every frequency: the words are picked from the vocabulary by rank. */
const CASES: Array<{ name: string; q: string; admin: boolean }> = [
  { name: 'common word', q: vocabulary[0], admin: true },
  { name: 'frequent word', q: vocabulary[5], admin: true },
  { name: 'mid word', q: vocabulary[60], admin: true },
  { name: 'rare word', q: vocabulary[2500], admin: true },
  { name: 'two words', q: `${vocabulary[1]} ${vocabulary[40]}`, admin: true },
  { name: 'prefix (3 letters)', q: vocabulary[0].slice(0, 3), admin: true },
  { name: 'common word, agent', q: vocabulary[0], admin: false },
  { name: 'visitor email', q: 'visitor4242@example.com', admin: true },
  { name: 'no match', q: 'zzzzqqqq', admin: true },
];

interface Figures {
  engine: string;
  seedSeconds: number;
  cases: Array<{ name: string; q: string; matches: number; medianMs: number; maxMs: number }>;
}

/** `count`: how many messages a query matches (not timed; one count(*) on the index). */
async function measure(engine: 'sqlite' | 'postgres', store: Store, seed: () => Promise<void>, count: (q: string) => Promise<number>): Promise<Figures> {
  const t0 = performance.now();
  await seed();
  const seedSeconds = (performance.now() - t0) / 1000;
  const search = createSearch({ store });
  const cases: Figures['cases'] = [];
  for (const c of CASES) {
    // Counted first: the timed runs below come after, and after a warm-up.
    const matches = await count(c.q);
    const agent = { id: 'bench-agent-3', name: 'Agent', role: c.admin ? ('admin' as const) : ('agent' as const) };
    await search.search(agent, c.q, 0);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await search.search(agent, c.q, 0);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    cases.push({ name: c.name, q: c.q, matches, medianMs: times[Math.floor(times.length / 2)], maxMs: times.at(-1)! });
  }
  return { engine, seedSeconds, cases };
}

async function sqlite(dir: string): Promise<Figures> {
  const { db, walPath } = openSqliteDatabase(join(dir, 'search.db'));
  const store = new SqliteStore(db, walPath);
  await store.migrate();
  try {
    return await measure('sqlite', store, async () => {
      db.exec('BEGIN');
      db.exec('CREATE TABLE bench_bodies (n INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const insert = db.prepare('INSERT INTO bench_bodies (n, body) VALUES (?, ?)');
      bodies().forEach((body, n) => insert.run(n, body));
      for (const sql of seedSql('sqlite')) db.exec(sql);
      db.exec('COMMIT');
      db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')");
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    }, async (q) => Number(db.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?').get(ftsQuery(searchTerms(q)))!.n));
  } finally {
    await store.close();
  }
}

async function postgres(): Promise<Figures> {
  const server = args['postgres-url'] ? null : await startPostgres();
  try {
    const url = args['postgres-url'] ?? (await server!.createDatabase());
    const store = await openPostgresStore(url, { poolSize: 4, logger: createLogger('error', process.stderr) });
    const counter = new pg.Pool({ connectionString: url, max: 1 });
    await store.migrate();
    try {
      return await measure('postgres', store, async () => {
        const pool = new pg.Pool({ connectionString: url, max: 1 });
        try {
          await pool.query('CREATE TABLE bench_bodies (n INTEGER PRIMARY KEY, body TEXT NOT NULL)');
          const all = bodies();
          await pool.query('INSERT INTO bench_bodies (n, body) SELECT * FROM unnest($1::int[], $2::text[])', [all.map((_, n) => n), all]);
          for (const sql of seedSql('postgres')) await pool.query(sql);
          await pool.query('VACUUM ANALYZE');
          if (args.explain) {
            for (const c of CASES) {
              const plan = await pool.query(`EXPLAIN (ANALYZE, COSTS OFF) ${MESSAGES_SQL}`, [tsQuery(searchTerms(c.q)), null, 21, 0, SEARCH_CANDIDATES]);
              process.stderr.write(`-- ${c.name} (${c.q})\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`);
            }
          }
        } finally {
          await pool.end();
        }
      }, async (q) => {
        const { rows } = await counter.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE search_doc @@ to_tsquery('simple'::regconfig, $1)`, [tsQuery(searchTerms(q))]);
        return Number(rows[0].n);
      });
    } finally {
      await counter.end();
      await store.close();
    }
  } finally {
    await server?.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-search-'));
try {
  const all: Figures[] = [];
  for (const engine of engines) all.push(engine === 'sqlite' ? await sqlite(dir) : await postgres());
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ conversations, messages: conversations * perConversation, runs, results: all })}\n`);
  } else {
    const lines = [
      `search — ${conversations.toLocaleString('en-US')} conversations, ${(conversations * perConversation).toLocaleString('en-US')} messages over 365 days; first page (20 results + visitors); median and slowest of ${runs} runs`,
      `${'engine'.padEnd(10)}${'query'.padEnd(22)}${'matches'.padStart(10)}${'median ms'.padStart(12)}${'max ms'.padStart(10)}`,
    ];
    for (const f of all) {
      for (const c of f.cases) {
        lines.push(`${f.engine.padEnd(10)}${c.name.padEnd(22)}${c.matches.toLocaleString('en-US').padStart(10)}${c.medianMs.toFixed(1).padStart(12)}${c.maxMs.toFixed(1).padStart(10)}`);
      }
      lines.push(`${f.engine.padEnd(10)}(seeded in ${f.seedSeconds.toFixed(1)} s)`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
