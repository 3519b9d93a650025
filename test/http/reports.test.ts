// GET /api/reports/summary and /summary.csv over real HTTP: admins only, this service's pages
// only, bad ranges refused with what is wrong, and the hand-made day's figures (data-set.ts).

import { afterEach, describe, expect, it } from 'vitest';
import type { ReportSummary } from '../../server/protocol/reports.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { DAY, EXPECTED, REPORT_NOW, writeDataSet } from '../reports/data-set.ts';

describe('reports over HTTP', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function seeded() {
    let now = REPORT_NOW;
    const clock = { now: () => now, set: (v: number) => void (now = v) };
    t = await startApp({ clock });
    const people = await writeDataSet(t.store, clock);
    const { cookie: admin } = await t.login('root@example.com', { role: 'admin', name: 'Root' });
    const { cookie: agent } = await t.login('worker@example.com');
    return { t, admin, agent, ...people };
  }

  const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

  it('[REPORT-HTTP1] an admin gets the day\'s figures and the CSV; agents get 403, strangers 401, foreign pages 403', async () => {
    const { t, admin, agent, alice } = await seeded();
    const path = `/api/reports/summary${q({ from: DAY, to: DAY, tz: 'UTC' })}`;
    const res = await t.http(path, { cookie: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const report = (await res.json()) as ReportSummary;
    expect(report.totals).toEqual(EXPECTED.totals);
    // Every account is listed, those without conversations with zeros.
    expect(report.agents.map((a) => a.name).sort()).toEqual(['=Bob', 'Alice', 'Root', 'worker'].sort());
    expect(report.agents.find((a) => a.name === 'Root')).toMatchObject({ opened: 0, claimed: 0, queueWait: { count: 0, median: null } });

    const mine = (await (await t.http(`/api/reports/summary${q({ from: DAY, to: DAY, agentId: alice.id })}`, { cookie: admin })).json()) as ReportSummary;
    expect(mine.totals).toEqual(EXPECTED.alice);

    const csv = await t.http(`/api/reports/summary.csv${q({ from: DAY, to: DAY, tz: 'UTC' })}`, { cookie: admin });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="parley-report-${DAY}-to-${DAY}.csv"`);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    // A UTF-8 byte-order mark first, for spreadsheets.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('agent,agent_id,opened')).toBe(true);
    expect(text).toContain("\r\n'=Bob,");
    expect(text).toContain('\r\n(all),,9,8,8,3,60,900,60,600,1200,2400,2.3\r\n');

    for (const p of [path, path.replace('summary', 'summary.csv')]) {
      const refused = await t.http(p, { cookie: agent });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect((await t.http(p)).status).toBe(401);
      const foreign = await t.http(p, { cookie: admin, headers: { origin: 'https://evil.example.net' } });
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: { message: string } }).error.message).toBe('cross-site request refused');
      // This service's own page may ask.
      expect((await t.http(p, { cookie: admin, headers: { origin: t.url } })).status).toBe(200);
    }
  });

  it('[REPORT-HTTP2] bad ranges are 400 invalid_payload saying what is wrong, for JSON and CSV alike', async () => {
    const { t, admin } = await seeded();
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{}, 'from'],
      [{ from: DAY }, 'to'],
      [{ from: 'yesterday', to: DAY }, 'from: expected an ISO date'],
      [{ from: '2026-03-05', to: '2026-03-01' }, 'to: the range ends before it starts'],
      [{ from: '2025-01-01', to: '2026-06-01' }, 'to: a report covers at most 366 days'],
      [{ from: DAY, to: DAY, tz: 'Mars/Olympus' }, 'tz: not a time zone'],
      [{ from: DAY, to: DAY, tz: 'x'.repeat(65) }, 'tz:'],
      [{ from: [DAY, DAY], to: DAY }, 'from:'],
      [{ from: DAY, to: DAY, agentId: 'a'.repeat(101) }, 'agentId:'],
    ];
    for (const [params, message] of cases) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) search.append(k, one);
      for (const endpoint of ['summary', 'summary.csv']) {
        const res = await t.http(`/api/reports/${endpoint}?${search}`, { cookie: admin });
        expect(res.status, `${endpoint} ${search}`).toBe(400);
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('invalid_payload');
        expect(error.message).toContain(message);
      }
    }
    // An unknown agent is no error: there is nothing of theirs.
    const none = (await (await t.http(`/api/reports/summary${q({ from: DAY, to: DAY, agentId: 'nobody' })}`, { cookie: admin })).json()) as ReportSummary;
    expect(none.totals.opened).toBe(0);
    expect(none.agents).toEqual([expect.objectContaining({ agentId: 'nobody', name: null, opened: 0 })]);
  });
});
