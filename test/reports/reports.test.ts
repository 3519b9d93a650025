// Report figures against a hand-made data set whose answers are known (data-set.ts), on SQLite and
// PostgreSQL; local-time buckets across daylight-saving transitions; what a range may be; CSV cells.

import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import { csvCell, reportCsv } from '../../server/core/report-csv.ts';
import { resolveRange } from '../../server/core/report-range.ts';
import { createReports } from '../../server/core/reports.ts';
import { timeZone } from '../../server/core/time-zone.ts';
import { createLogger } from '../../server/logger.ts';
import { AppError } from '../../server/protocol/errors.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { Store } from '../../server/store/store.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';
import { DAY, EXPECTED, REPORT_NOW, writeDataSet } from './data-set.ts';
import { agentOf, created, ok, openOk } from '../store/results.ts';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { migrate as migrateSqlite, migrations as sqliteMigrations } from '../../server/store/sqlite/migrations.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { applyMigrations, migrations as postgresMigrations } from '../../server/store/postgres/migrations.ts';
import { PostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { createDb } from '../../server/store/postgres/db.ts';

const engines: Array<[string, (clock: Clock) => Promise<Store>]> = [
  ['sqlite', (clock) => openSqliteStore(':memory:', { clock })],
  ['postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 2, logger: createLogger('silent'), clock })],
];

describe.each(engines)('reports on %s', (_engine, open) => {
  let store: Store;
  let now = 0;
  const clock = { now: () => now, set: (t: number) => void (now = t) };

  afterEach(async () => {
    await store?.close();
  });

  async function seeded() {
    store = await open(clock);
    await store.migrate();
    const people = await writeDataSet(store, clock);
    return { ...people, reports: createReports({ store, clock }) };
  }

  it('[REPORT1] the day\'s totals, per agent figures, series, wait distribution and heat map are the hand-worked answers', async () => {
    const { alice, bob, reports } = await seeded();
    const { report } = await reports.summary({ from: DAY, to: DAY, tz: 'UTC' });
    expect(report.range).toEqual({ from: `${DAY}T00:00:00.000Z`, to: '2026-03-03T00:00:00.000Z', timeZone: 'UTC', bucket: 'hour', agentId: null });
    expect(report.totals).toEqual(EXPECTED.totals);
    const byId = new Map(report.agents.map((a) => [a.agentId, a]));
    expect(report.agents).toHaveLength(2);
    expect(byId.get(alice.id)).toEqual({ agentId: alice.id, name: 'Alice', ...EXPECTED.alice });
    expect(byId.get(bob.id)).toEqual({ agentId: bob.id, name: '=Bob', ...EXPECTED.bob });

    expect(report.series).toHaveLength(24);
    report.series.forEach((b, hour) => {
      expect(b.start).toBe(`${DAY}T${String(hour).padStart(2, '0')}:00:00.000Z`);
      expect([b.opened, b.closed, b.missed]).toEqual([EXPECTED.openedByHour[hour] ?? 0, EXPECTED.closedByHour[hour] ?? 0, EXPECTED.missedByHour[hour] ?? 0]);
    });
    expect(report.series.reduce((n, b) => n + b.claimed, 0)).toBe(8);
    expect(report.waitHistogram.map((b) => b.count)).toEqual(EXPECTED.waitHistogram);
    expect(report.waitHistogram.at(-1)!.upToMs).toBeNull();
    expect(report.heatmap).toHaveLength(7);
    for (let d = 0; d < 7; d++) for (let h = 0; h < 24; h++) expect(report.heatmap[d][h]).toBe(d === 0 ? (EXPECTED.openedByHour[h] ?? 0) : 0);
  });

  it('[REPORT2] one agent: the totals are that agent\'s; a range that misses the day has nothing; the CSV neutralises a formula-like name', async () => {
    const { alice, bob, reports } = await seeded();
    const one = (await reports.summary({ from: DAY, to: DAY, tz: 'UTC', agentId: alice.id })).report;
    expect(one.totals).toEqual(EXPECTED.alice);
    expect(one.agents.map((a) => a.agentId)).toEqual([alice.id]);
    expect(one.heatmap[0][9] + one.heatmap[0][10] + one.heatmap[0][11] + one.heatmap[0][12]).toBe(4);

    const before = (await reports.summary({ from: '2026-02-01', to: '2026-02-28', tz: 'UTC' })).report;
    expect(before.totals).toMatchObject({ opened: 0, claimed: 0, closed: 0, missed: 0, queueWait: { count: 0, median: null, p90: null } });
    expect(before.series).toHaveLength(28);
    expect(before.range.bucket).toBe('day');

    // The evening before, in the day's own terms: c10 opened there, and nothing else happened.
    const eve = (await reports.summary({ from: '2026-03-01T23:00:00Z', to: '2026-03-02T00:00:00Z' })).report;
    expect(eve.totals).toMatchObject({ opened: 1, claimed: 0, closed: 0 });

    const csv = reportCsv((await reports.summary({ from: DAY, to: DAY, tz: 'UTC' })).report).split('\r\n');
    expect(csv[0]).toBe(
      'agent,agent_id,opened,claimed,closed,missed,queue_wait_median_s,queue_wait_p90_s,first_response_median_s,first_response_p90_s,duration_median_s,duration_p90_s,messages_per_conversation_mean',
    );
    expect(csv).toContain(`Alice,${alice.id},4,5,5,1,300,900,60,600,1200,2400,2.6`);
    expect(csv).toContain(`'=Bob,${bob.id},3,3,2,0,60,120,60,60,1500,1800,2`);
    expect(csv).toContain('(all),,9,8,8,3,60,900,60,600,1200,2400,2.3');
    expect(csv.at(-1)).toBe('');
  });

  it('[REPORT8] reports take turns: four at once are computed one after another, a fifth is refused as unavailable, a bad range is refused at once', async () => {
    const { reports } = await seeded();
    const asked = Array.from({ length: 5 }, () => reports.summary({ from: DAY, to: DAY, tz: 'UTC' }));
    const bad = expect(reports.summary({ from: DAY, to: 'later' })).rejects.toMatchObject({ code: 'invalid_payload' });
    const results = await Promise.allSettled(asked);
    expect(results.slice(0, 4).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    for (const r of results.slice(0, 4)) expect((r as PromiseFulfilledResult<{ report: { totals: unknown } }>).value.report.totals).toEqual(EXPECTED.totals);
    expect(results[4]).toMatchObject({ status: 'rejected', reason: { code: 'unavailable' } });
    await bad;
    // Turns free up as reports finish.
    expect((await reports.summary({ from: DAY, to: DAY, tz: 'UTC' })).report.totals).toEqual(EXPECTED.totals);
  });

  it('[REPORT9] the store hands over each conversation once, from `from` included to `to` excluded, by any of its three times, and per agent', async () => {
    const { alice, bob } = await seeded();
    const at = (iso: string) => Date.parse(iso);
    const ids = async (from: string, to: string, agentId?: string) =>
      (await store.reportConversations({ from: at(from), to: at(to), agentId })).map((c) => c.createdAt).sort((a, b) => a - b);
    // c1 opened at 09:00:00, claimed 09:00:30, closed 09:10:00; c2 opened at 09:05:00.
    expect(await ids('2026-03-02T09:00:00Z', '2026-03-02T09:00:01Z')).toEqual([at('2026-03-02T09:00:00Z')]);
    expect(await ids('2026-03-02T08:59:00Z', '2026-03-02T09:00:00Z')).toEqual([]);
    expect(await ids('2026-03-02T09:10:00Z', '2026-03-02T09:10:01Z')).toEqual([at('2026-03-02T09:00:00Z')]);
    expect(await ids('2026-03-02T09:00:30Z', '2026-03-02T09:05:01Z')).toEqual([at('2026-03-02T09:00:00Z'), at('2026-03-02T09:05:00Z')]);
    // The whole day: ten conversations (c10 by its claim and close), each once.
    const day = await store.reportConversations({ from: at('2026-03-02T00:00:00Z'), to: at('2026-03-03T00:00:00Z') });
    expect(day).toHaveLength(10);
    expect(new Set(day.map((c) => c.id)).size).toBe(10);
    // Per agent: what they first claimed or held. c6 is both's (Bob claimed first, Alice closed); c7 too.
    expect(await ids('2026-03-02T11:00:00Z', '2026-03-02T13:00:00Z', alice.id)).toEqual([at('2026-03-02T11:00:00Z'), at('2026-03-02T11:30:00Z'), at('2026-03-02T12:00:00Z')]);
    expect(await ids('2026-03-02T11:00:00Z', '2026-03-02T13:00:00Z', bob.id)).toEqual([at('2026-03-02T11:30:00Z'), at('2026-03-02T12:00:00Z')]);
    const c6 = day.find((c) => c.createdAt === at('2026-03-02T11:30:00Z'))!;
    expect(c6).toMatchObject({ claimedAt: at('2026-03-02T11:30:10Z'), claimedBy: bob.id, firstReplyAt: at('2026-03-02T11:31:10Z'), agentId: alice.id, status: 'closed', messages: 3 });
  });

  it('[REPORT3] a visitor waiting in Paris across the spring transition falls in the local hour it happened in', async () => {
    store = await open(clock);
    await store.migrate();
    const agent = agentOf(await store.createAgent({ email: 'a@example.com', name: 'A', role: 'agent', passwordHash: 'x' }));
    const times = ['2026-03-28T22:59:00Z', '2026-03-28T23:30:00Z', '2026-03-29T01:30:00Z', '2026-03-29T21:59:00Z', '2026-03-29T22:30:00Z'];
    for (const [i, iso] of times.entries()) {
      const t = Date.parse(iso);
      now = t;
      const v = await store.createVisitor({ name: `v${i}`, email: null });
      const c = openOk(await store.openConversation(v, t)).conversation;
      created(await store.appendMessage({ conversationId: c.id, clientId: `c${i}`, authorKind: 'visitor', authorId: v.id, authorName: v.name, body: 'hi', createdAt: t }));
      now = t + 1000;
      ok(await store.claim(c.id, agent));
    }
    now = Date.parse('2026-04-02T00:00:00Z');
    const { report } = await createReports({ store, clock }).summary({ from: '2026-03-29', to: '2026-03-29', tz: 'Europe/Paris' });
    // Sunday 29 March in Paris: 00:00 is 23:00 UTC the day before, and the day has 23 hours.
    expect(report.range).toMatchObject({ from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z', timeZone: 'Europe/Paris', bucket: 'hour' });
    expect(report.series).toHaveLength(23);
    expect(report.totals.opened).toBe(3);
    expect(report.heatmap[6][0]).toBe(1); // 00:30 CET
    expect(report.heatmap[6][3]).toBe(1); // 03:30 CEST (02:xx never happened)
    expect(report.heatmap[6][23]).toBe(1); // 23:59 CEST
    expect(report.heatmap[6][2]).toBe(0);
  });
});

// A database from before the reports' migration: a closed conversation an agent answered twice,
// and one nobody answered. The migration fills in the first agent message and the agent.
const OLD_ROWS = [
  `INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ('a1', 'a@example.com', 'A', 'agent', 'x', 1)`,
  `INSERT INTO conversations (id, visitor_id, visitor_name, status, agent_id, agent_name, queued_at, created_at, closed_at)
     VALUES ('c1', 'v1', 'V', 'closed', 'a1', 'A', 1000, 1000, 9000), ('c2', 'v2', 'W', 'closed', NULL, NULL, 2000, 2000, 3000)`,
  `INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
     VALUES ('m1', 'c1', 1, 'k1', 'visitor', 'v1', 'V', 'hi', 1000), ('m2', 'c1', 2, 'k2', 'agent', 'a1', 'A', 'hello', 4000),
            ('m3', 'c1', 3, 'k3', 'agent', 'a1', 'A', 'more', 5000), ('m4', 'c2', 1, 'k4', 'visitor', 'v2', 'W', 'hi', 2000)`,
];

describe('the reports migration', () => {
  const expected = [
    { id: 'c1', status: 'closed', createdAt: 1000, claimedAt: null, claimedBy: 'a1', firstReplyAt: 4000, closedAt: 9000, agentId: 'a1', messages: 3 },
    { id: 'c2', status: 'closed', createdAt: 2000, claimedAt: null, claimedBy: null, firstReplyAt: null, closedAt: 3000, agentId: null, messages: 1 },
  ];
  const sorted = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

  it('[REPORT7] SQLite: conversations from before it get their first agent message and agent', async () => {
    const db = new DatabaseSync(':memory:');
    migrateSqlite(db, 1, sqliteMigrations.filter((m) => m.version <= 4));
    for (const sql of OLD_ROWS) db.exec(sql);
    const store = new SqliteStore(db, null);
    await store.migrate();
    expect(sorted(await store.reportConversations({ from: 0, to: 10_000 }))).toEqual(expected);
    await store.close();
  });

  it('[REPORT7] PostgreSQL: the same', async () => {
    const pool = new pg.Pool({ connectionString: await freshPostgresUrl(), max: 2 });
    const logger = createLogger('silent');
    await createDb(pool, logger).transaction((client) => applyMigrations(client, 1, postgresMigrations.filter((m) => m.version <= 3)));
    for (const sql of OLD_ROWS) await pool.query(sql);
    await pool.query(`UPDATE conversations SET last_seq = 3 WHERE id = 'c1'`);
    await pool.query(`UPDATE conversations SET last_seq = 1 WHERE id = 'c2'`);
    const store = new PostgresStore(pool, logger);
    await store.migrate();
    expect(sorted(await store.reportConversations({ from: 0, to: 10_000 }))).toEqual(expected);
    await store.close();
  });
});

describe('report ranges and local time', () => {
  const bad = (q: Parameters<typeof resolveRange>[0]) => {
    try {
      resolveRange(q);
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).message;
    }
    throw new Error('accepted');
  };

  it('[REPORT4] bad ranges are refused with what is wrong; a year is the most a report covers', () => {
    expect(bad({ from: '2026-13-01', to: '2026-12-01' })).toMatch(/^from: expected an ISO date/);
    expect(bad({ from: '2026-02-30', to: '2026-03-01' })).toMatch(/^from: expected/);
    expect(bad({ from: '2026-03-01', to: 'tomorrow' })).toMatch(/^to: expected/);
    expect(bad({ from: '2026-03-01T10:00', to: '2026-03-02' })).toMatch(/^from: expected/);
    expect(bad({ from: '2026-03-01T25:00:00Z', to: '2026-03-02' })).toMatch(/^from: expected/);
    expect(bad({ from: '2026-03-05', to: '2026-03-01' })).toBe('to: the range ends before it starts');
    expect(bad({ from: '2025-01-01', to: '2026-01-02' })).toBe('to: a report covers at most 366 days');
    expect(bad({ from: '1999-12-31', to: '2000-01-01' })).toMatch(/^from: the year must be/);
    expect(bad({ from: '2026-03-01', to: '2026-03-02', tz: 'Mars/Olympus' })).toMatch(/^tz: not a time zone/);
    expect(bad({ from: '2026-03-01', to: '2026-03-02', tz: 'Europe/Paris\u0000' })).toMatch(/^tz:/);
    expect(bad({ from: `2026-03-01${'0'.repeat(100)}`, to: '2026-03-02' })).toMatch(/^from:/);
    expect(resolveRange({ from: '2025-01-01', to: '2025-12-31', tz: 'UTC' }).bucket).toBe('day');
    expect(resolveRange({ from: '2026-03-01T10:00:00.5+05:30', to: '2026-03-01T12:00:00-01:00' })).toMatchObject({
      from: Date.parse('2026-03-01T04:30:00.500Z'),
      to: Date.parse('2026-03-01T13:00:00Z'),
      bucket: 'hour',
    });
    expect(resolveRange({ from: '2026-03-01', to: '2026-03-01', tz: '+05:30' }).from).toBe(Date.parse('2026-02-28T18:30:00Z'));
  });

  it('[REPORT5] local days and hours follow daylight-saving transitions (Paris, New York, Lord Howe, Santiago)', () => {
    const paris = timeZone('Europe/Paris')!;
    // Autumn: 25 hours, 02:00–02:59 twice.
    const start = paris.startOfDay(2026, 10, 25);
    const end = paris.startOfDay(2026, 10, 26);
    expect(new Date(start).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect((end - start) / 3_600_000).toBe(25);
    const r = resolveRange({ from: '2026-10-25', to: '2026-10-25', tz: 'Europe/Paris' });
    expect(r.to - r.from).toBe(25 * 3_600_000);
    const ny = timeZone('America/New_York')!;
    expect(new Date(ny.startOfDay(2026, 3, 8)).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(ny.local(Date.parse('2026-03-08T07:30:00Z'))).toMatchObject({ hour: 3, minute: 30, weekday: 6 });
    // Lord Howe moves by half an hour.
    const lh = timeZone('Australia/Lord_Howe')!;
    expect(lh.offsetAt(Date.parse('2026-01-15T00:00:00Z'))).toBe(11 * 3_600_000);
    expect(lh.offsetAt(Date.parse('2026-06-15T00:00:00Z'))).toBe(10.5 * 3_600_000);
    // Santiago skips local midnight on 6 September 2026: the day starts at 01:00, the transition.
    const scl = timeZone('America/Santiago')!;
    expect(new Date(scl.startOfDay(2026, 9, 6)).toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(scl.dateKey(scl.startOfDay(2026, 9, 6) - 1)).toBe('2026-09-05');
    expect(timeZone('Nowhere/Else')).toBeNull();
  });

  it('[REPORT6] CSV cells: formulas neutralised, quotes doubled, numbers as they are', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('Zoë')).toBe('Zoë');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});
