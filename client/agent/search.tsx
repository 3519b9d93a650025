// Search in the console (#17): a field at the top of the list column (Ctrl+K or ⌘K focuses it),
// GET /api/search, the results in place of the lists, and a click that opens the conversation at
// that message — loading older history until it is there, scrolled to and highlighted. Snippets
// come as plain text with ranges to mark: drawn as text nodes and <mark> elements, never HTML.

import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { SEARCH_MAX_QUERY_LENGTH, type SearchResponse, type SearchResult, type Snippet } from '../../server/protocol/search.ts';
import { call } from '../lib/ack.ts';
import { api } from '../lib/api.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import type { AgentSocket, ConsoleState } from './console-state.ts';

type Results = { q: string; results: SearchResult[]; nextOffset: number | null; loading: boolean; failed: boolean };

export type SearchState = ReturnType<typeof createSearchState>;

export function createSearchState({ socket, con }: { socket: AgentSocket; con: ConsoleState }) {
  const results = signal<Results | null>(null);
  /** The message to bring into view once its conversation is open. */
  const target = signal<{ conversationId: string; seq: number } | null>(null);
  let asked = 0;

  async function run(q: string, offset = 0) {
    const mine = ++asked;
    const before = offset > 0 ? (results.peek()?.results ?? []) : [];
    results.value = { q, results: before, nextOffset: null, loading: true, failed: false };
    try {
      const page = await api<SearchResponse>('GET', `/api/search?${new URLSearchParams({ q, offset: String(offset) })}`);
      if (mine === asked) results.value = { q, results: [...before, ...page.results], nextOffset: page.nextOffset, loading: false, failed: false };
    } catch {
      if (mine === asked) results.value = { q, results: before, nextOffset: null, loading: false, failed: true };
    }
  }

  /** Opens the result's conversation (read-only unless it is the agent's), at its message. */
  async function open(r: SearchResult) {
    const { conversation } = await call(socket, 'history:get', { conversationId: r.conversation.id, limit: 1 });
    if (!conversation) return;
    target.value = r.message ? { conversationId: conversation.id, seq: r.message.seq } : null;
    con.show(conversation);
  }

  /** Loads older pages of the open conversation until the target message is among them. */
  async function reach(conversationId: string, seq: number): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      const model = con.model(conversationId);
      const state = model?.getState();
      if (!model || !state) return false;
      if (!state.loaded) await model.load();
      const now = model.getState();
      if (now.messages.some((m) => m.seq === seq)) return true;
      if (!now.hasOlder || (now.messages[0]?.seq ?? 0) < seq) return false;
      await model.loadOlder();
    }
    return false;
  }

  return {
    results,
    target,
    run: (q: string) => void run(q),
    more: () => {
      const r = results.peek();
      if (r?.nextOffset != null) void run(r.q, r.nextOffset);
    },
    clear: () => {
      asked++;
      results.value = null;
    },
    open: (r: SearchResult) => void open(r).catch(() => {}),
    reach,
  };
}

/** Text with its highlighted ranges as <mark> elements: every part a text node. */
export function Highlighted({ snippet }: { snippet: Snippet }) {
  const parts: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const h of snippet.highlights) {
    if (h.start < at || h.end > snippet.text.length || h.end <= h.start) continue;
    if (h.start > at) parts.push({ text: snippet.text.slice(at, h.start), mark: false });
    parts.push({ text: snippet.text.slice(h.start, h.end), mark: true });
    at = h.end;
  }
  if (at < snippet.text.length) parts.push({ text: snippet.text.slice(at), mark: false });
  return <>{parts.map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : p.text))}</>;
}

/** The field: Enter searches, Escape clears, Ctrl+K / ⌘K from anywhere focuses it. */
export function SearchBox({ search }: { search: SearchState }) {
  const { t } = useI18n<ConsoleKey>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <form
      class="search-form"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const q = input.current?.value.trim() ?? '';
        if (q) search.run(q);
        else search.clear();
      }}
    >
      <input
        ref={input}
        id="console-search"
        class="search-input"
        type="search"
        maxLength={SEARCH_MAX_QUERY_LENGTH}
        placeholder={t('console.search.placeholder')}
        aria-label={t('console.search.label')}
        aria-keyshortcuts="Control+K Meta+K"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.currentTarget.value = '';
            search.clear();
          }
        }}
      />
    </form>
  );
}

/** The results, in place of the lists while a search is shown. */
export function SearchResults({ search, onOpen }: { search: SearchState; onOpen(): void }) {
  const i18n = useI18n<ConsoleKey>();
  const { t } = i18n;
  const r = search.results.value;
  if (!r) return null;
  const status = (s: SearchResult['conversation']['status']) =>
    s === 'closed' ? t('console.search.closed') : s === 'queued' ? t('console.search.queued') : t('console.search.active');
  return (
    <section class="side-section search-results" data-section="search" aria-labelledby="search-heading">
      <h2 id="search-heading">
        {t('console.search.heading')}
        <button type="button" class="btn btn-small btn-quiet search-clear" onClick={() => search.clear()}>
          {t('console.search.clear')}
        </button>
      </h2>
      {r.failed && (
        <p class="empty" role="alert">
          {t('console.search.error')}
        </p>
      )}
      {!r.loading && !r.failed && r.results.length === 0 && <p class="empty">{t('console.search.none')}</p>}
      <ul class="item-list">
        {r.results.map((hit) => (
          <li key={`${hit.kind}:${hit.message?.id ?? hit.conversation.id}`} class="item search-item" data-conversation={hit.conversation.id} data-seq={hit.message?.seq}>
            <button
              type="button"
              class="item-main"
              onClick={() => {
                search.open(hit);
                onOpen();
              }}
            >
              <span class="item-text">
                <span class="item-name">
                  {i18n.name(hit.conversation.visitor.name)}
                  <span class="tag">{hit.kind === 'visitor' ? t('console.search.visitorMatch') : status(hit.conversation.status)}</span>
                </span>
                <span class="search-snippet">
                  {hit.message && <span class="search-author">{i18n.name(hit.message.author.name)}: </span>}
                  <Highlighted snippet={hit.snippet} />
                </span>
                <span class="item-wait">
                  <time dateTime={hit.message?.createdAt ?? hit.conversation.createdAt}>{i18n.fullTime(hit.message?.createdAt ?? hit.conversation.createdAt)}</time>
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {r.nextOffset !== null && (
        <button type="button" class="btn btn-small btn-quiet search-more" onClick={() => search.more()} disabled={r.loading}>
          {t('console.search.more')}
        </button>
      )}
    </section>
  );
}

/**
 * Brings the searched message into view once its conversation is on screen: older history loaded
 * until it is there, then scrolled to the middle, highlighted and focused.
 */
export function SearchFocus({ search, con }: { search: SearchState; con: ConsoleState }) {
  const target = search.target.value;
  const selected = con.selected.value;
  useEffect(() => {
    if (!target || target.conversationId !== selected) return;
    let cancelled = false;
    void search.reach(target.conversationId, target.seq).then(() => {
      const find = (tries: number) => {
        if (cancelled) return;
        const el = document.querySelector<HTMLElement>(`.pane[data-conversation="${CSS.escape(target.conversationId)}"] .msg[data-seq="${target.seq}"]`);
        if (!el) {
          if (tries > 0) requestAnimationFrame(() => find(tries - 1));
          return;
        }
        document.querySelectorAll('.msg-found').forEach((m) => m.classList.remove('msg-found'));
        el.classList.add('msg-found');
        el.tabIndex = -1;
        el.focus({ preventScroll: true });
        // Done with it (this effect's cleanup runs now; the settling below goes on by itself).
        search.target.value = null;
        // Messages far from the newest are laid out only near the screen (messages.css): as they
        // are, the heights above change and the message moves. Keep it in view for a few frames.
        // Stops at the reader's first own scroll (wheel, touch, keys).
        const list = el.closest<HTMLElement>('.msg-list');
        let touched = false;
        const stop = () => (touched = true);
        for (const ev of ['wheel', 'touchstart', 'keydown', 'pointerdown']) list?.addEventListener(ev, stop, { once: true, passive: true });
        const settle = (frames: number) => {
          if (touched || frames === 0 || !el.isConnected || !list) return;
          const box = el.getBoundingClientRect();
          const area = list.getBoundingClientRect();
          if (area.height > 0 && (box.top < area.top || box.bottom > area.bottom)) list.scrollTop += box.top - area.top - (area.height - box.height) / 2;
          requestAnimationFrame(() => settle(frames - 1));
        };
        requestAnimationFrame(() => settle(120));
      };
      find(60);
    });
    return () => {
      cancelled = true;
    };
  }, [target, selected]);
  return null;
}
