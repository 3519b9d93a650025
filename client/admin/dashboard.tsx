// The admin dashboard (/admin): who is online right now — agents with status
// and load, visitors with their page and where their conversation stands
// (waiting, with position, or with an agent) — and the queue, kept live by
// `online`/`online:changed` on the /admin socket; plus the team.

import { signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import type { AdminClientEvents, AdminServerEvents, OnlineSnapshot } from '../../server/protocol/events.ts';
import type { Agent, Conversation, OnlineVisitor } from '../../server/protocol/shapes.ts';
import { call } from '../lib/ack.ts';
import { api } from '../lib/api.ts';
import { isSafeHref } from '../lib/dom.ts';
import { type AdminKey, type I18n, loadPageI18n } from '../lib/i18n.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { AppHeader, ConnectionBanner, type ConnectionState } from '../ui/app-header.tsx';
import { I18nContext, useI18n } from '../ui/i18n-context.ts';
import { defaultNameTag } from '../../server/protocol/names.ts';
import { createToasts } from '../ui/toasts.tsx';
import { TeamSection } from './team.tsx';
import { CsatCard } from './csat-card.tsx';
import { ReportsPage } from './reports.tsx';
import { SettingsPage } from './settings.tsx';
import { SessionEnded } from '../ui/session-ended.tsx';
import type { SessionEndReason } from '../../server/protocol/events.ts';

/** Someone came online or went offline; worded when shown, in the page's language. */
interface FeedItem {
  id: number;
  at: string;
  kind: 'agent' | 'visitor';
  name: string;
  action: 'online' | 'offline';
}

function feedText(i18n: Pick<I18n<AdminKey>, 't' | 'name'>, f: FeedItem): string {
  const { t } = i18n;
  if (f.kind === 'agent') return t(f.action === 'online' ? 'admin.feed.agentOnline' : 'admin.feed.agentOffline', { name: f.name });
  // A default name already says "visitor" ("Visitor 1a2b", shown in the reader's language); a given one does not.
  if (defaultNameTag(f.name) !== null) return t(f.action === 'online' ? 'admin.feed.namedOnline' : 'admin.feed.namedOffline', { name: i18n.name(f.name) });
  return t(f.action === 'online' ? 'admin.feed.visitorOnline' : 'admin.feed.visitorOffline', { name: f.name });
}

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div class="stat card">
      <p class="stat-label">{label}</p>
      <p class="stat-value">
        {value}
        {sub && <span class="stat-sub">{sub}</span>}
      </p>
    </div>
  );
}

function LongestWait({ oldest }: { oldest: { waitMs: number; at: number } | null }) {
  const { t, duration } = useI18n<AdminKey>();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <Stat label={t('admin.stat.longestWait')} value={oldest ? duration(oldest.waitMs + now - oldest.at) : '—'} />;
}

function PageCell({ page }: { page: OnlineVisitor['page'] }) {
  if (!page) return <span class="muted">—</span>;
  const link = /^https?:/i.test(page.url) && isSafeHref(page.url);
  return (
    <span class="page">
      {page.title && <span class="page-title-text">{page.title}</span>}
      <span class="page-url">
        {link ? (
          <a href={page.url} target="_blank" rel="noopener noreferrer nofollow">
            {page.url}
          </a>
        ) : (
          page.url
        )}
      </span>
    </span>
  );
}

/** Where a visitor's conversation stands: waiting (and where in the queue) or with whom. */
function ConversationCell({ visitor, conversations }: { visitor: OnlineVisitor; conversations: ReadonlyMap<string, Conversation> }) {
  const { t } = useI18n<AdminKey>();
  if (!visitor.conversationId) return <span class="muted">{t('admin.visitor.browsing')}</span>;
  const c = conversations.get(visitor.conversationId);
  if (c?.status === 'queued') {
    return <span class="status status-away">{c.queuePosition ? t('admin.visitor.waitingAt', { position: c.queuePosition }) : t('admin.visitor.waiting')}</span>;
  }
  if (c?.status === 'active') return <span class="status status-online">{c.agent ? t('admin.visitor.withAgent', { name: c.agent.name }) : t('admin.visitor.withAnAgent')}</span>;
  return <span class="status">{t('admin.visitor.inConversation')}</span>;
}

async function start(mount: HTMLElement) {
  const me = (await api<{ agent?: Agent }>('GET', '/api/me').catch(() => ({ agent: undefined }))).agent;
  if (!me) return location.assign('/login?next=/admin');
  if (me.role !== 'admin') return location.assign('/agent');

  const i18n: I18n<AdminKey> = await loadPageI18n<AdminKey>(['common', 'admin']);
  const { t, number, clockTime } = i18n;
  const toasts = createToasts();
  const socket: Socket<AdminServerEvents, AdminClientEvents> = io('/admin', socketOptions(transportFrom(location.search)));
  const connection = signal<ConnectionState>({ state: 'connecting' });
  const snapshot = signal<OnlineSnapshot | null>(null);
  const oldest = signal<{ waitMs: number; at: number } | null>(null);
  const conversations = signal<ReadonlyMap<string, Conversation>>(new Map());
  const feed = signal<readonly FeedItem[]>([]);
  let feedId = 0;
  /** /admin#reports and /admin#settings show the Reports page (reports.tsx) or the Settings page (settings.tsx) instead of the live view. */
  const pageOf = (): 'admin' | 'reports' | 'settings' => (location.hash === '#reports' ? 'reports' : location.hash === '#settings' ? 'settings' : 'admin');
  const page = signal(pageOf());
  addEventListener('hashchange', () => (page.value = pageOf()));

  /** The open conversations of the visitors shown: the queue (with positions) and the active ones. */
  async function loadConversations(s: OnlineSnapshot) {
    if (!s.visitors.some((v) => v.conversationId)) return void (conversations.value = new Map());
    const [queued, active] = await Promise.all(
      (['queued', 'active'] as const).map((status) => api<{ conversations: Conversation[] }>('GET', `/api/conversations?status=${status}`)),
    );
    conversations.value = new Map([...queued.conversations, ...active.conversations].map((c) => [c.id, c]));
  }

  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) return void (again = true);
    inFlight = true;
    try {
      const s = await call(socket, 'online:get');
      await loadConversations(s).catch(() => {});
      snapshot.value = s;
      oldest.value = s.queue.oldestWaitMs === null ? null : { waitMs: s.queue.oldestWaitMs, at: Date.now() };
    } catch {
      /* the next change or reconnect refreshes */
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  socket.on('connect', () => {
    connection.value = { state: 'online' };
    void refresh();
  });
  socket.on('disconnect', (reason) => reason !== 'io client disconnect' && (connection.value = { state: 'reconnecting' }));
  socket.on('connect_error', (err) => {
    if (err.message === 'unauthorized') location.assign('/login?next=/admin');
    else if (err.message === 'forbidden') location.assign('/agent');
    else connection.value = { state: 'reconnecting' };
  });
  socket.on('online', (e) => {
    feed.value = [{ id: ++feedId, at: new Date().toISOString(), kind: e.kind, name: e.name, action: e.action }, ...feed.peek()].slice(0, 30);
    void refresh();
  });
  socket.on('online:changed', () => void refresh());
  // The account changed (disabled, password changed elsewhere, no longer an admin): say why, stop here.
  const ended = signal<SessionEndReason | null>(null);
  socket.on('session:ended', ({ reason }) => (ended.value = reason));

  function App() {
    const s = snapshot.value;
    return (
      <>
        <AppHeader me={me!} current={page.value} onError={(text) => toasts.show(text, 'error')} />
        <ConnectionBanner connection={connection.value} />
        {page.value === 'reports' && (
          <main class="dashboard">
            <ReportsPage />
          </main>
        )}
        {page.value === 'settings' && (
          <main class="dashboard">
            <SettingsPage onError={(text) => toasts.show(text, 'error')} />
          </main>
        )}
        <main class="dashboard" hidden={page.value !== 'admin'}>
          <h1 class="page-title">{t('admin.heading')}</h1>
          <div class="stats">
            <Stat
              label={t('admin.stat.agentsOnline')}
              value={s ? number(s.agents.filter((a) => a.status === 'online').length) : '–'}
              sub={s ? ` / ${number(s.agents.length)}` : undefined}
            />
            <Stat label={t('admin.stat.visitors')} value={s ? number(s.visitors.length) : '–'} />
            <Stat label={t('admin.stat.queue')} value={s ? number(s.queue.length) : '–'} />
            <LongestWait oldest={oldest.value} />
          </div>
          <CsatCard />
          <div class="columns">
            <section class="card" aria-labelledby="agents-heading">
              <h2 id="agents-heading">{t('admin.agents.heading')}</h2>
              <table class="table table-stack">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.agents.agent')}</th>
                    <th scope="col">{t('admin.agents.status')}</th>
                    <th scope="col">{t('admin.agents.conversations')}</th>
                    <th scope="col">{t('admin.agents.connections')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s?.agents.map((a) => (
                    <tr key={a.id} data-agent={a.id}>
                      <td data-label={t('admin.agents.agent')}>
                        {a.name}
                        {a.role === 'admin' && <span class="badge badge-admin">{t('common.ui.role.admin')}</span>}
                      </td>
                      <td data-label={t('admin.agents.status')}>
                        <span class={`status status-${a.status}`}>{t(`common.ui.status.${a.status}`)}</span>
                      </td>
                      <td data-label={t('admin.agents.conversations')}>{number(a.activeConversations)}</td>
                      <td data-label={t('admin.agents.connections')}>{number(a.connections)}</td>
                    </tr>
                  ))}
                  {s?.agents.length === 0 && (
                    <tr>
                      <td colSpan={4} class="empty">
                        {t('admin.agents.none')}
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </section>
            <section class="card" aria-labelledby="feed-heading">
              <h2 id="feed-heading">{t('admin.feed.heading')}</h2>
              {feed.value.length === 0 && <p class="empty">{t('admin.feed.empty')}</p>}
              <ol class="feed" aria-label={t('admin.feed.label')}>
                {feed.value.map((f) => (
                  <li key={f.id}>
                    <time dateTime={f.at} title={i18n.fullTime(f.at)}>
                      {clockTime(f.at)}
                    </time>{' '}
                    {feedText(i18n, f)}
                  </li>
                ))}
              </ol>
            </section>
          </div>
          <section class="card" aria-labelledby="visitors-heading">
            <h2 id="visitors-heading">{t('admin.visitors.heading')}</h2>
            <p class="card-hint">{t('admin.visitors.hint')}</p>
            <table class="table table-stack">
              <thead>
                <tr>
                  <th scope="col">{t('admin.visitors.visitor')}</th>
                  <th scope="col">{t('admin.visitors.page')}</th>
                  <th scope="col">{t('admin.visitors.conversation')}</th>
                  <th scope="col">{t('admin.visitors.tabs')}</th>
                </tr>
              </thead>
              <tbody>
                {s?.visitors.map((v) => (
                  <tr key={v.id} data-visitor={v.id}>
                    <td data-label={t('admin.visitors.visitor')}>{i18n.name(v.name)}</td>
                    <td data-label={t('admin.visitors.page')} class="page-cell">
                      <PageCell page={v.page} />
                    </td>
                    <td data-label={t('admin.visitors.conversation')} class="conversation-cell">
                      <ConversationCell visitor={v} conversations={conversations.value} />
                    </td>
                    <td data-label={t('admin.visitors.tabs')}>{number(v.connections)}</td>
                  </tr>
                ))}
                {s?.visitors.length === 0 && (
                  <tr>
                    <td colSpan={4} class="empty">
                      {t('admin.visitors.none')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
          <TeamSection />
        </main>
        <toasts.Toasts />
        {ended.value && <SessionEnded reason={ended.value} />}
      </>
    );
  }

  mount.replaceChildren();
  render(
    <I18nContext.Provider value={i18n}>
      <App />
    </I18nContext.Provider>,
    mount,
  );
}

void start(document.getElementById('app')!);
