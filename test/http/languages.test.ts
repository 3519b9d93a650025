// [I18N-HTTP] Page shells in the visitor's and the agent's language: <html lang dir>, the translated
// title, and only that language's messages embedded; ?lang= (the widget's data-lang) and WIDGET_LANGUAGE
// override the browser's Accept-Language; catalogue files for a page that re-negotiates in the browser.

import { describe, expect, it } from 'vitest';
import { startApp } from '../helpers/start-app.ts';

async function page(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const html = await res.text();
  const data = /<script type="application\/json" id="parley-i18n">([^<]*)<\/script>/.exec(html)?.[1];
  return {
    res,
    html,
    lang: /<html lang="([^"]+)" dir="([^"]+)">/.exec(html)?.slice(1, 3),
    title: /<title>([^<]*)<\/title>/.exec(html)?.[1],
    embedded: data ? (JSON.parse(data) as { locale: string; dir: string; explicit: boolean; messages: Record<string, string> }) : null,
  };
}

describe('[I18N-HTTP] page languages', () => {
  it('[I18N-HTTP1] /chat follows Accept-Language, embeds only that language, and mirrors Arabic', async () => {
    const t = await startApp();
    const ar = await page(`${t.url}/chat`, { 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' });
    expect(ar.lang).toEqual(['ar', 'rtl']);
    expect(ar.title).toBe('تحدّث معنا');
    expect(ar.embedded?.locale).toBe('ar');
    expect(ar.embedded?.explicit).toBe(false);
    expect(ar.embedded?.messages['widget.pageTitle']).toBe('تحدّث معنا');
    // Only the chat's own catalogue files: no console or dashboard text travels to visitors.
    expect(Object.keys(ar.embedded!.messages).every((k) => k.startsWith('widget.') || k.startsWith('common.'))).toBe(true);
    expect(ar.res.headers.get('vary')).toContain('Accept-Language');

    const zh = await page(`${t.url}/chat`, { 'accept-language': 'zh-TW,zh;q=0.9' });
    expect(zh.lang).toEqual(['zh-CN', 'ltr']);
    const none = await page(`${t.url}/chat`, { 'accept-language': 'tlh, x-klingon;q=0.5' });
    expect(none.lang).toEqual(['en', 'ltr']);
    expect(none.title).toBe('Chat with us');
    const huge = await page(`${t.url}/chat`, { 'accept-language': `${'q-'.repeat(3000)}, es` });
    expect(huge.res.status).toBe(200);
  });

  it('[I18N-HTTP2] ?lang= beats the browser, WIDGET_LANGUAGE beats the browser, and unknown codes are ignored', async () => {
    const t = await startApp();
    expect((await page(`${t.url}/chat?lang=es`, { 'accept-language': 'de' })).lang).toEqual(['es', 'ltr']);
    expect((await page(`${t.url}/chat?lang=es`)).embedded?.explicit).toBe(true);
    expect((await page(`${t.url}/chat?lang=<script>`, { 'accept-language': 'de' })).lang).toEqual(['de', 'ltr']);
    const forced = await startApp({ env: { WIDGET_LANGUAGE: 'ja' } });
    expect((await page(`${forced.url}/chat`, { 'accept-language': 'de' })).lang).toEqual(['ja', 'ltr']);
    expect((await page(`${forced.url}/chat?lang=ru`, { 'accept-language': 'de' })).lang).toEqual(['ru', 'ltr']);
  });

  it('[I18N-HTTP3] the sign-in page is translated in its markup, escaped', async () => {
    const t = await startApp();
    const de = await page(`${t.url}/login`, { 'accept-language': 'de-DE' });
    expect(de.lang).toEqual(['de', 'ltr']);
    expect(de.html).toContain('<h1>Bei der Konsole anmelden</h1>');
    expect(de.html).not.toContain('{{');
  });

  it('[I18N-HTTP4] catalogue files by language, English filling gaps; unknown ones are 404', async () => {
    const t = await startApp();
    const res = await fetch(`${t.url}/i18n/fr/widget.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, string>)['widget.pageTitle']).toBe('Discutez avec nous');
    expect((await fetch(`${t.url}/i18n/xx/widget.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/i18n/fr/..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('[I18N-ME] the agent’s own console language (PATCH /api/me)', () => {
  it('[I18N-ME1] an agent sets, changes and clears their language; /agent and /admin follow it over the browser', async () => {
    const t = await startApp();
    const { cookie } = await t.login('polyglot@example.com', { role: 'admin' });
    const me = async () => ((await (await t.http('/api/me', { cookie })).json()) as { agent: { language: string | null } }).agent;
    expect((await me()).language).toBeNull();

    const set = await t.http('/api/me', { method: 'PATCH', cookie, json: { language: 'de' } });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ agent: { email: 'polyglot@example.com', language: 'de' } });
    expect((await me()).language).toBe('de');
    const withCookie = { cookie, 'accept-language': 'en-US,en;q=0.9' };
    const console = await page(`${t.url}/agent`, withCookie);
    expect(console.lang).toEqual(['de', 'ltr']);
    expect(console.embedded?.explicit).toBe(true);
    expect(console.title).toBe('Konsole — Parley');
    expect((await page(`${t.url}/admin`, withCookie)).lang).toEqual(['de', 'ltr']);

    expect((await t.http('/api/me', { method: 'PATCH', cookie, json: { language: 'ar' } })).status).toBe(200);
    expect((await page(`${t.url}/agent`, withCookie)).lang).toEqual(['ar', 'rtl']);

    const cleared = await t.http('/api/me', { method: 'PATCH', cookie, json: { language: null } });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ agent: { language: null } });
    const browser = await page(`${t.url}/agent`, { cookie, 'accept-language': 'ja' });
    expect(browser.lang).toEqual(['ja', 'ltr']);
    expect(browser.embedded?.explicit).toBe(false);
  });

  it('[I18N-ME2] only shipped codes, exactly; anything else is 400 invalid_payload and changes nothing', async () => {
    const t = await startApp();
    const { cookie } = await t.login('careful@example.com');
    expect((await t.http('/api/me', { method: 'PATCH', cookie, json: { language: 'fr' } })).status).toBe(200);
    const bad: unknown[] = [
      { language: 'xx' },
      { language: 'DE' },
      { language: 'pt' },
      { language: 'de-DE' },
      { language: '' },
      { language: 42 },
      { language: ['de'] },
      { language: '<script>' },
      {},
      { language: 'de', role: 'admin' },
      // The display name is the other field PATCH /api/me takes (test/http/team.test.ts); a bad one changes nothing either.
      { language: 'de', name: '' },
      { name: 'x'.repeat(101) },
      { name: 'Renamed', email: 'x@example.com' },
    ];
    for (const json of bad) {
      const res = await t.http('/api/me', { method: 'PATCH', cookie, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_payload' } });
    }
    const malformed = await t.http('/api/me', { method: 'PATCH', cookie, headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(malformed.status).toBe(400);
    const { agent } = (await (await t.http('/api/me', { cookie })).json()) as { agent: { language: string; role: string; name: string } };
    expect(agent).toMatchObject({ language: 'fr', role: 'agent' });
    expect(agent.name).not.toBe('Renamed');
    // Cross-site requests with the agent's cookie are refused like every console write.
    const csrf = await t.http('/api/me', { method: 'PATCH', cookie, headers: { origin: 'https://evil.example.net' }, json: { language: 'ru' } });
    expect(csrf.status).toBe(403);
    expect(((await (await t.http('/api/me', { cookie })).json()) as { agent: { language: string } }).agent.language).toBe('fr');
  });

  it('[I18N-ME3] visitors and anonymous callers are refused with 401', async () => {
    const t = await startApp();
    const visitor = await t.visitorSession();
    const asVisitor = await t.http('/api/me', { method: 'PATCH', cookie: visitor.cookie, json: { language: 'de' } });
    expect(asVisitor.status).toBe(401);
    expect(await asVisitor.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const anonymous = await t.http('/api/me', { method: 'PATCH', json: { language: 'de' } });
    expect(anonymous.status).toBe(401);
    // The visitor's identity is unchanged and has no language.
    expect(await (await t.http('/api/me', { cookie: visitor.cookie })).json()).toEqual({ visitor: visitor.visitor });
  });
});
