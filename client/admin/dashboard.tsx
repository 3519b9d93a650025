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
import { clockTime, duration } from '../lib/format.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { AppHeader, ConnectionBanner, type ConnectionState } from '../ui/app-header.tsx';
import { TeamSection } from './team.tsx';

interface FeedItem {
  id: number;
  at: string;
  text: string;
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
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <Stat label="Longest wait" value={oldest ? duration(oldest.waitMs + now - oldest.at) : '—'} />;
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
  if (!visitor.conversationId) return <span class="muted">Browsing</span>;
  const c = conversations.get(visitor.conversationId);
  if (c?.status === 'queued') return <span class="status status-away">Waiting{c.queuePosition ? ` · #${c.queuePosition} in queue` : ''}</span>;
  if (c?.status === 'active') return <span class="status status-online">With {c.agent?.name ?? 'an agent'}</span>;
  return <span class="status">In a conversation</span>;
}

async function start(mount: HTMLElement) {
  const me = (await api<{ agent?: Agent }>('GET', '/api/me').catch(() => ({ agent: undefined }))).agent;
  if (!me) return location.assign('/login?next=/admin');
  if (me.role !== 'admin') return location.assign('/agent');

  const socket: Socket<AdminServerEvents, AdminClientEvents> = io('/admin', socketOptions(transportFrom(location.search)));
  const connection = signal<ConnectionState>({ state: 'connecting' });
  const snapshot = signal<OnlineSnapshot | null>(null);
  const oldest = signal<{ waitMs: number; at: number } | null>(null);
  const conversations = signal<ReadonlyMap<string, Conversation>>(new Map());
  const feed = signal<readonly FeedItem[]>([]);
  let feedId = 0;

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
    // Visitors without a name are already called "Visitor 1a2b".
    const who = e.kind === 'agent' ? `Agent ${e.name}` : e.name.startsWith('Visitor ') ? e.name : `Visitor ${e.name}`;
    feed.value = [{ id: ++feedId, at: new Date().toISOString(), text: `${who} ${e.action === 'online' ? 'came online' : 'went offline'}` }, ...feed.peek()].slice(0, 30);
    void refresh();
  });
  socket.on('online:changed', () => void refresh());

  function App() {
    const s = snapshot.value;
    return (
      <>
        <AppHeader me={me!} current="admin" />
        <ConnectionBanner connection={connection.value} />
        <main class="dashboard">
          <h1 class="page-title">Right now</h1>
          <div class="stats">
            <Stat label="Agents online" value={s ? String(s.agents.filter((a) => a.status === 'online').length) : '–'} sub={s ? ` / ${s.agents.length}` : undefined} />
            <Stat label="Visitors in chat" value={s ? String(s.visitors.length) : '–'} />
            <Stat label="Waiting in queue" value={s ? String(s.queue.length) : '–'} />
            <LongestWait oldest={oldest.value} />
          </div>
          <div class="columns">
            <section class="card" aria-labelledby="agents-heading">
              <h2 id="agents-heading">Agents</h2>
              <table class="table table-stack">
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">Status</th>
                    <th scope="col">Conversations</th>
                    <th scope="col">Connections</th>
                  </tr>
                </thead>
                <tbody>
                  {s?.agents.map((a) => (
                    <tr key={a.id} data-agent={a.id}>
                      <td data-label="Agent">
                        {a.name}
                        {a.role === 'admin' && <span class="badge badge-admin">admin</span>}
                      </td>
                      <td data-label="Status">
                        <span class={`status status-${a.status}`}>{a.status}</span>
                      </td>
                      <td data-label="Conversations">{a.activeConversations}</td>
                      <td data-label="Connections">{a.connections}</td>
                    </tr>
                  ))}
                  {s?.agents.length === 0 && (
                    <tr>
                      <td colSpan={4} class="empty">
                        No agent is online.
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </section>
            <section class="card" aria-labelledby="feed-heading">
              <h2 id="feed-heading">Activity</h2>
              {feed.value.length === 0 && <p class="empty">People coming online and going offline show here.</p>}
              <ol class="feed" aria-label="Recent activity">
                {feed.value.map((f) => (
                  <li key={f.id}>
                    <time dateTime={f.at}>{clockTime(f.at)}</time> {f.text}
                  </li>
                ))}
              </ol>
            </section>
          </div>
          <section class="card" aria-labelledby="visitors-heading">
            <h2 id="visitors-heading">Visitors in chat</h2>
            <p class="card-hint">
              Visitors whose page has the chat connected: anyone who has chatted before, on every page they view, and others once they point at or open
              the chat button. People browsing who never touched the chat are not counted.
            </p>
            <table class="table table-stack">
              <thead>
                <tr>
                  <th scope="col">Visitor</th>
                  <th scope="col">Page</th>
                  <th scope="col">Conversation</th>
                  <th scope="col">Tabs</th>
                </tr>
              </thead>
              <tbody>
                {s?.visitors.map((v) => (
                  <tr key={v.id} data-visitor={v.id}>
                    <td data-label="Visitor">{v.name}</td>
                    <td data-label="Page" class="page-cell">
                      <PageCell page={v.page} />
                    </td>
                    <td data-label="Conversation" class="conversation-cell">
                      <ConversationCell visitor={v} conversations={conversations.value} />
                    </td>
                    <td data-label="Tabs">{v.connections}</td>
                  </tr>
                ))}
                {s?.visitors.length === 0 && (
                  <tr>
                    <td colSpan={4} class="empty">
                      No visitor is online.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
          <TeamSection />
        </main>
      </>
    );
  }

  mount.replaceChildren();
  render(<App />, mount);
}

void start(document.getElementById('app')!);
