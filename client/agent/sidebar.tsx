// The console's list column: the live queue (position, wait, last message,
// claim) and the agent's own conversations (unread, last message, visitor
// online). Items are keyed by conversation id: an update redraws that item
// only, and focus stays where the agent left it.

import { useEffect, useState } from 'preact/hooks';
import type { Conversation } from '../../server/protocol/shapes.ts';
import { initials } from '../lib/format.ts';
import type { ConsoleKey, I18n } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import type { ConsoleState } from './console-state.ts';
import { SearchBox, SearchResults, type SearchState } from './search.tsx';
import { TagChips, TagFilter, type TagsState } from './tags.tsx';

interface SidebarProps {
  console: ConsoleState;
  onOpen(id: string): void;
  /** Search and tags (#17): the field and results above the lists, chips and a filter on them. */
  search?: SearchState;
  tags?: TagsState;
}

/** Re-renders its users every second (wait times). */
function useClock(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function preview(con: ConsoleState, id: string, t: I18n<ConsoleKey>['t']): string {
  const last = con.stateOf(id)?.value.preview;
  if (!last) return ' ';
  // A file sent without words is previewed by its name.
  const body = last.body || last.attachment?.name || '';
  if (last.author.kind !== 'agent') return body;
  return t('console.preview.byAgent', { name: last.author.id === con.me.id ? t('console.you') : last.author.name, body });
}

function QueueItem({ con, c, selected, now, onOpen, tags }: { con: ConsoleState; c: Conversation; selected: boolean; now: number; onOpen(id: string): void; tags?: TagsState }) {
  const i18n = useI18n<ConsoleKey>();
  const { t } = i18n;
  // The model's snapshot carries the visitor's current name; the queue entry the position.
  const name = i18n.name(con.stateOf(c.id)?.value.conversation?.visitor.name ?? c.visitor.name);
  return (
    <li class={`item queue-item${selected ? ' selected' : ''}`} data-id={c.id}>
      <button type="button" class="item-main" data-role="open" aria-current={selected ? 'true' : undefined} onClick={() => onOpen(c.id)}>
        <span class="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        <span class="item-text">
          <span class="item-name">{name}</span>
          <span class="item-preview">{preview(con, c.id, t)}</span>
          {tags && <TagChips tags={tags.of(c.id)} />}
          <span class="item-wait">{waited(i18n, now - Date.parse(c.createdAt))}</span>
        </span>
        {c.queuePosition !== null && (
          <span class="position" title={t('console.queue.positionTitle')}>
            <span class="sr-only">{t('console.queue.positionLabel')} </span>#{i18n.number(c.queuePosition)}
          </span>
        )}
      </button>
      <button type="button" class="btn btn-primary btn-small claim-button" data-role="claim" aria-label={t('console.queue.claimLabel', { name })} onClick={() => con.claim(c.id)}>
        {t('console.queue.claim')}
      </button>
    </li>
  );
}

function MineItem({ con, c, selected, onOpen, tags }: { con: ConsoleState; c: Conversation; selected: boolean; onOpen(id: string): void; tags?: TagsState }) {
  const i18n = useI18n<ConsoleKey>();
  const { t, number } = i18n;
  const state = con.stateOf(c.id)?.value;
  const online = state?.peerOnline ?? false;
  const unread = con.isMine(c) ? (state?.unread ?? 0) : 0;
  const closed = c.status !== 'active' || !con.isMine(c);
  return (
    <li class={`item mine-item${selected ? ' selected' : ''}${closed ? ' closed' : ''}`} data-id={c.id}>
      <button type="button" class="item-main" data-role="open" aria-current={selected ? 'true' : undefined} onClick={() => onOpen(c.id)}>
        <span class="avatar-wrap">
          <span class="avatar" aria-hidden="true">
            {initials(i18n.name(c.visitor.name))}
          </span>
          <span class={`dot${online ? ' online' : ''}`} aria-hidden="true" />
        </span>
        <span class="item-text">
          <span class="item-name">
            {i18n.name(c.visitor.name)}
            <span class="sr-only">{online ? t('console.mine.srOnline') : t('console.mine.srOffline')}</span>
            {closed && <span class="tag">{c.status === 'closed' ? t('console.mine.tagClosed') : t('console.mine.tagHandedOver')}</span>}
          </span>
          <span class="item-preview">{preview(con, c.id, t)}</span>
          {tags && <TagChips tags={tags.of(c.id)} />}
        </span>
        {unread > 0 && (
          <span class="unread" aria-label={t('console.mine.unread', { count: unread })}>
            {number(unread)}
          </span>
        )}
      </button>
    </li>
  );
}

/** "new", or how long they have waited ("waiting 3 min"). */
function waited(i18n: I18n<ConsoleKey>, ms: number): string {
  return ms < 5_000 ? i18n.t('console.queue.new') : i18n.t('console.queue.waiting', { duration: i18n.duration(ms) });
}

export function Sidebar({ console: con, onOpen, search, tags }: SidebarProps) {
  const { t, number } = useI18n<ConsoleKey>();
  const now = useClock();
  const shows = (c: Conversation) => !tags || tags.shows(c.id);
  const queue = con.queue.value.filter(shows);
  const mine = con.mine.value.filter(shows);
  const selected = con.selected.value;
  const searching = search?.results.value != null;
  return (
    <nav class="sidebar" aria-label={t('console.sidebar.label')}>
      {search && (
        <div class="side-tools">
          <SearchBox search={search} />
          {tags && !searching && <TagFilter state={tags} />}
        </div>
      )}
      {search && searching && <SearchResults search={search} onOpen={() => {}} />}
      {!searching && (
      <>
      <section class="side-section" data-section="queue">
        <h2 id="queue-heading">
          {t('console.queue.heading')}{' '}
          <span class="count" title={t('console.queue.waitingCount', { count: queue.length })}>
            {number(queue.length)}
          </span>
        </h2>
        {queue.length === 0 && <p class="empty">{t('console.queue.empty')}</p>}
        {queue.length > 1 && (
          <p class="queue-rule" data-testid="queue-rule">
            {t('console.queue.rule')}
          </p>
        )}
        <ul class="item-list" aria-labelledby="queue-heading">
          {queue.map((c) => (
            <QueueItem key={c.id} con={con} c={c} selected={c.id === selected} now={now} onOpen={onOpen} tags={tags} />
          ))}
        </ul>
      </section>
      <section class="side-section" data-section="mine">
        <h2 id="mine-heading">
          {t('console.mine.heading')} <span class="count">{number(mine.filter((c) => con.isMine(c)).length)}</span>
        </h2>
        {mine.length === 0 && <p class="empty">{t('console.mine.empty')}</p>}
        <ul class="item-list" aria-labelledby="mine-heading">
          {mine.map((c) => (
            <MineItem key={c.id} con={con} c={c} selected={c.id === selected} onOpen={onOpen} tags={tags} />
          ))}
        </ul>
      </section>
      </>
      )}
    </nav>
  );
}
