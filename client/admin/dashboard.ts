// The admin dashboard (/admin): who is online right now — agents with status
// and load, visitors with their page and conversation — and the queue, kept
// live by `online`/`online:changed` on the /admin socket; plus the team.

import { io, type Socket } from 'socket.io-client';
import type { AdminClientEvents, AdminServerEvents, OnlineSnapshot } from '../../server/protocol/events.ts';
import type { Agent } from '../../server/protocol/shapes.ts';
import { call } from '../lib/ack.ts';
import { api } from '../lib/api.ts';
import { createAppHeader } from '../lib/app-header.ts';
import { h, isSafeHref, setContent } from '../lib/dom.ts';
import { clockTime, duration } from '../lib/format.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { createTeamSection } from './team.ts';

async function start(mount: HTMLElement) {
  const me = (await api<{ agent?: Agent }>('GET', '/api/me').catch(() => ({ agent: undefined }))).agent;
  if (!me) return location.assign('/login?next=/admin');
  if (me.role !== 'admin') return location.assign('/agent');

  const socket: Socket<AdminServerEvents, AdminClientEvents> = io('/admin', socketOptions(transportFrom(location.search)));
  const header = createAppHeader(me, 'admin');
  const stat = (label: string) => {
    const value = h('p', { class: 'stat-value' }, '–');
    return { value, element: h('div', { class: 'stat card' }, h('p', { class: 'stat-label' }, label), value) };
  };
  const stats = { agents: stat('Agents online'), visitors: stat('Visitors online'), queue: stat('Waiting in queue'), wait: stat('Longest wait') };
  const agentRows = h('tbody');
  const visitorRows = h('tbody');
  const feed = h('ol', { class: 'feed', 'aria-label': 'Recent activity' });
  const table = (caption: string, id: string, heads: string[], body: HTMLElement) =>
    h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, caption), h('table', { class: 'table' }, h('thead', null, h('tr', null, ...heads.map((t) => h('th', { scope: 'col' }, t)))), body));
  const team = createTeamSection(() => {});
  mount.replaceChildren(
    header.element,
    header.banner,
    h(
      'main',
      { class: 'dashboard' },
      h('h1', { class: 'page-title' }, 'Right now'),
      h('div', { class: 'stats' }, stats.agents.element, stats.visitors.element, stats.queue.element, stats.wait.element),
      h(
        'div',
        { class: 'columns' },
        table('Agents', 'agents-heading', ['Agent', 'Status', 'Conversations', 'Connections'], agentRows),
        h('section', { class: 'card', 'aria-labelledby': 'feed-heading' }, h('h2', { id: 'feed-heading' }, 'Activity'), feed),
      ),
      table('Visitors', 'visitors-heading', ['Visitor', 'Page', 'Conversation', 'Tabs'], visitorRows),
      team.element,
    ),
  );

  let oldest: { waitMs: number; at: number } | null = null;
  const empty = (cols: number, text: string) => h('tr', null, h('td', { colspan: cols, class: 'empty' }, text));

  function show(snapshot: OnlineSnapshot) {
    setContent(stats.agents.value, String(snapshot.agents.filter((a) => a.status === 'online').length), h('span', { class: 'stat-sub' }, ` / ${snapshot.agents.length}`));
    setContent(stats.visitors.value, String(snapshot.visitors.length));
    setContent(stats.queue.value, String(snapshot.queue.length));
    oldest = snapshot.queue.oldestWaitMs === null ? null : { waitMs: snapshot.queue.oldestWaitMs, at: Date.now() };
    tick();
    agentRows.replaceChildren(
      ...(snapshot.agents.length
        ? snapshot.agents.map((a) =>
            h('tr', { 'data-agent': a.id }, h('td', null, a.name, a.role === 'admin' && h('span', { class: 'badge badge-admin' }, 'admin')), h('td', null, h('span', { class: `status status-${a.status}` }, a.status)), h('td', null, String(a.activeConversations)), h('td', null, String(a.connections))),
          )
        : [empty(4, 'No agent is online.')]),
    );
    visitorRows.replaceChildren(
      ...(snapshot.visitors.length
        ? snapshot.visitors.map((v) =>
            h(
              'tr',
              { 'data-visitor': v.id },
              h('td', null, v.name),
              h('td', { class: 'page-cell' }, v.page ? pageNode(v.page) : h('span', { class: 'muted' }, '—')),
              h('td', null, v.conversationId ? h('span', { class: 'status status-online plain' }, 'in a conversation') : h('span', { class: 'muted' }, 'browsing')),
              h('td', null, String(v.connections)),
            ),
          )
        : [empty(4, 'No visitor is online.')]),
    );
  }

  function pageNode(page: { url: string; title: string | null }): Node {
    const url = /^https?:/i.test(page.url) && isSafeHref(page.url) ? h('a', { href: page.url, target: '_blank', rel: 'noopener noreferrer nofollow' }, page.url) : h('span', null, page.url);
    return h('span', { class: 'page' }, page.title ? h('span', { class: 'page-title-text' }, page.title) : null, h('span', { class: 'page-url' }, url));
  }

  function tick() {
    setContent(stats.wait.value, oldest ? duration(oldest.waitMs + Date.now() - oldest.at) : '—');
  }

  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) return void (again = true);
    inFlight = true;
    try {
      show(await call(socket, 'online:get'));
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
    header.setConnection('online');
    void refresh();
  });
  socket.on('disconnect', (reason) => reason !== 'io client disconnect' && header.setConnection('reconnecting'));
  socket.on('connect_error', (err) => {
    if (err.message === 'unauthorized') location.assign('/login?next=/admin');
    else if (err.message === 'forbidden') location.assign('/agent');
    else header.setConnection('reconnecting');
  });
  socket.on('online', (e) => {
    // Visitors without a name are already called "Visitor 1a2b".
    const who = e.kind === 'agent' ? `Agent ${e.name}` : e.name.startsWith('Visitor ') ? e.name : `Visitor ${e.name}`;
    feed.prepend(h('li', null, h('time', null, clockTime(new Date().toISOString())), ` ${who} ${e.action === 'online' ? 'came online' : 'went offline'}`));
    while (feed.children.length > 30) feed.lastElementChild?.remove();
    void refresh();
  });
  socket.on('online:changed', () => void refresh());
  setInterval(tick, 1000);
  void team.refresh().catch(() => {});
}

void start(document.getElementById('app')!);
