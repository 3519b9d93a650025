// The agent console (/agent): signs in, opens the /agent socket, and lays out
// the list, the conversation and the visitor's details — three columns on a
// desk, one at a time on a phone. State lives in console-state.ts.

import { computed, effect, signal } from '@preact/signals';
import { render } from 'preact';
import { io } from 'socket.io-client';
import type { Agent } from '../../server/protocol/shapes.ts';
import { api } from '../lib/api.ts';
import { browserChannel, createPendingClaims } from '../lib/pending-claims.ts';
import { createPendingStore } from '../lib/pending-store.ts';
import { type ConsoleKey, type I18n, loadPageI18n } from '../lib/i18n.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { tabStorage } from '../lib/storage.ts';
import { AppHeader, ConnectionBanner } from '../ui/app-header.tsx';
import { I18nContext, useI18n } from '../ui/i18n-context.ts';
import { ConfirmDialog } from '../ui/modal.tsx';
import { createToasts } from '../ui/toasts.tsx';
import { startAutoAway } from './auto-away.ts';
import { type AgentSocket, type ConsoleState, createConsoleState } from './console-state.ts';
import { ContextPanel } from './context-panel.tsx';
import { ConversationPane } from './conversation-pane.tsx';
import { createNotifier, type Notifier } from './notifier.ts';
import { Sidebar } from './sidebar.tsx';
import { createSearchState, SearchFocus } from './search.tsx';
import { createTagsState } from './tags.tsx';
import { TransferDialog } from './transfer-dialog.tsx';
import { SessionEnded } from '../ui/session-ended.tsx';
import type { SessionEndReason } from '../../server/protocol/events.ts';
import { createCannedStore } from './canned.ts';
import { CannedManager } from './canned-manager.tsx';

const STATUS_KEY = 'parley:agent-status';
/** One column (list, conversation or details) up to here; the details beside the conversation from 1101 px. */
const NARROW = '(max-width: 720px)';

type View = 'list' | 'conversation' | 'details';
type Dialog = { kind: 'close' | 'transfer'; id: string } | null;

function mediaSignal(query: string) {
  const list = matchMedia(query);
  const s = signal(list.matches);
  list.addEventListener('change', () => (s.value = list.matches));
  return s;
}

function Tools({ con, notifier, onCanned }: { con: ConsoleState; notifier: Notifier; onCanned(): void }) {
  const permission = signal(notifier.state());
  return function ToolsView() {
    const { t } = useI18n<ConsoleKey>();
    return (
    <>
      {permission.value === 'default' && (
        <button type="button" class="btn btn-small notify-button" onClick={() => void notifier.enable().then(() => (permission.value = notifier.state()))}>
          {t('console.enableNotifications')}
        </button>
      )}
      <button type="button" class="btn btn-small canned-button" onClick={onCanned}>
        {t('console.canned.open')}
      </button>
      <select
        id="agent-status"
        aria-label={t('console.status.label')}
        class="status-select"
        value={con.status.value}
        onChange={(e) => {
          const status = e.currentTarget.value === 'away' ? 'away' : 'online';
          localStorage.setItem(STATUS_KEY, status);
          void con.setStatus(status);
        }}
      >
        <option value="online">{t('console.status.online')}</option>
        <option value="away">{t('console.status.away')}</option>
      </select>
    </>
    );
  };
}

async function start(mount: HTMLElement) {
  const me = (await api<{ agent?: Agent }>('GET', '/api/me').catch(() => ({ agent: undefined }))).agent;
  if (!me) return location.assign('/login?next=/agent');

  const i18n: I18n<ConsoleKey> = await loadPageI18n<ConsoleKey>(['common', 'console']);
  const { t } = i18n;
  const socket: AgentSocket = io('/agent', socketOptions(transportFrom(location.search)));
  const toasts = createToasts();
  const view = signal<View>('list');
  const dialog = signal<Dialog>(null);
  const narrow = mediaSignal(NARROW);
  const open = (id: string) => {
    con.select(id);
    view.value = 'conversation';
  };
  const notifier = createNotifier(open);
  const storage = tabStorage();
  const claims = createPendingClaims({ channel: browserChannel('parley:pending') });
  const con = createConsoleState({
    me,
    t,
    name: i18n.name,
    socket,
    notifier,
    toast: toasts.show,
    signIn: () => location.assign('/login?next=/agent'),
    status: localStorage.getItem(STATUS_KEY) === 'away' ? 'away' : 'online',
    // Unsent replies survive a reload of this tab (docs/protocol.md, "Unsent messages"), per agent and conversation.
    pendingStore: (conversationId) => createPendingStore({ storage, key: `parley:outbox:agent:${me.id}:${conversationId}`, claims }),
  });
  // Away by itself after the team's idle time (the server's `settings`), online again on activity.
  const autoAway = startAutoAway({ status: con.status, setStatus: (next) => void con.setStatus(next) });
  socket.on('settings', ({ awayAfterMs }) => autoAway.configure(awayAfterMs));
  const search = createSearchState({ socket, con });
  const tags = createTagsState({ socket, con, toast: toasts.show, t });
  // Canned replies (the team's and this agent's): behind `/` in the composer, managed in a dialog.
  const canned = createCannedStore();
  const cannedOpen = signal(false);
  void canned.load().catch(() => {});
  const ToolsView = Tools({ con, notifier, onCanned: () => (cannedOpen.value = true) });
  // The account changed (disabled, deleted, password changed elsewhere): say why, in the agent's language.
  const ended = signal<SessionEndReason | null>(null);
  socket.on('session:ended', ({ reason }) => (ended.value = reason));

  // A conversation newly selected (opened, claimed, picked from a notification) is the one shown.
  effect(() => {
    if (con.selected.value) view.value = 'conversation';
  });
  // On a phone only one column shows: the conversation is read only while it is the one on screen.
  effect(() => {
    con.paneOnScreen.value = !narrow.value || view.value === 'conversation';
  });
  const syncVisibility = () => (con.pageVisible.value = document.visibilityState === 'visible');
  document.addEventListener('visibilitychange', syncVisibility);
  syncVisibility();
  effect(() => {
    const n = con.unread.value;
    document.title = n ? t('console.titleUnread', { count: n }) : t('console.pageTitle');
  });
  // The visitor's current page, refreshed while their conversation is open.
  setInterval(() => document.visibilityState === 'visible' && con.refreshVisitor(), 20_000);

  const selectedConversation = computed(() => {
    const id = con.selected.value;
    return id ? (con.stateOf(id)?.value.conversation ?? null) : null;
  });

  function CurrentDialog() {
    const d = dialog.value;
    const c = d ? con.stateOf(d.id)?.value.conversation : null;
    if (!d || !c) return null;
    const done = () => (dialog.value = null);
    if (d.kind === 'close') {
      return (
        <ConfirmDialog
          title={t('console.close.title')}
          body={t('console.close.body', { name: i18n.name(c.visitor.name) })}
          confirm={t('console.close.confirm')}
          danger
          onCancel={done}
          onConfirm={() => {
            done();
            con.close(d.id);
          }}
        />
      );
    }
    return (
      <TransferDialog
        me={me!}
        visitorName={i18n.name(c.visitor.name)}
        onClose={done}
        onPick={(t) => {
          done();
          con.transfer(d.id, t.id, t.name);
        }}
      />
    );
  }

  function App() {
    const id = con.selected.value;
    const visitor = con.visitor.value;
    return (
      <>
        <AppHeader me={me!} current="agent" onError={(text) => toasts.show(text, 'error')}>
          <ToolsView />
        </AppHeader>
        <ConnectionBanner connection={con.connection.value} />
        <h1 class="sr-only">{t('console.heading')}</h1>
        <div class="console" data-view={id ? view.value : 'list'}>
          <Sidebar console={con} onOpen={open} search={search} tags={tags} />
          <SearchFocus search={search} con={con} />
          <main class="main" id="main">
            {id ? (
              <ConversationPane
                key={id}
                console={con}
                tags={tags}
                id={id}
                onBack={() => (view.value = 'list')}
                onDetails={() => (view.value = 'details')}
                onClose={(cid) => (dialog.value = { kind: 'close', id: cid })}
                onTransfer={(cid) => (dialog.value = { kind: 'transfer', id: cid })}
                tools={{ canned, me: me!, socket }}
              />
            ) : (
              <div class="empty-state">
                <p class="empty-title">{t('console.noSelection.title')}</p>
                <p>{t('console.noSelection.hint')}</p>
              </div>
            )}
          </main>
          <ContextPanel
            conversation={selectedConversation.value}
            visitor={visitor && visitor.conversationId === id ? visitor.visitor : null}
            socket={socket}
            onBack={() => (view.value = 'conversation')}
          />
        </div>
        <toasts.Toasts />
        {ended.value ? <SessionEnded reason={ended.value} /> : <CurrentDialog />}
        {cannedOpen.value && !ended.value && <CannedManager me={me!} store={canned} onClose={() => (cannedOpen.value = false)} />}
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
