// Tags in the console (#17): what each conversation on screen carries (fetched with `tags:get` for
// the conversations the lists show, kept live by `tags` events from every agent), the editor in the
// conversation header, and the chips and filter of the lists.

import { computed, effect, type ReadonlySignal, signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import { MAX_TAG_LENGTH, normalizeTag } from '../../server/protocol/search.ts';
import { call } from '../lib/ack.ts';
import type { ConsoleKey, I18n } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import type { AgentSocket, ConsoleState } from './console-state.ts';

export type TagsState = ReturnType<typeof createTagsState>;

export function createTagsState({ socket, con, toast, t }: { socket: AgentSocket; con: ConsoleState; toast(text: string, kind?: 'info' | 'error'): void; t: I18n<ConsoleKey>['t'] }) {
  const tags = signal<ReadonlyMap<string, readonly string[]>>(new Map());
  /** The list filter: only conversations with this tag (null: all). */
  const filter = signal<string | null>(null);
  const asked = new Set<string>();

  function put(id: string, list: readonly string[]) {
    const next = new Map(tags.peek());
    next.set(id, list);
    tags.value = next;
  }

  async function fetchTags(ids: string[]) {
    if (ids.length === 0) return;
    for (const id of ids) asked.add(id);
    try {
      const { tags: found } = await call(socket, 'tags:get', { conversationIds: ids.slice(0, 200) });
      const next = new Map(tags.peek());
      for (const id of ids) next.set(id, found[id] ?? []);
      tags.value = next;
    } catch {
      for (const id of ids) asked.delete(id); // asked again on the next change
    }
  }

  // The conversations the lists and the pane show: their tags, once each (then kept by events).
  effect(() => {
    const shown = [...con.queue.value.map((c) => c.id), ...con.mine.value.map((c) => c.id), con.selected.value].filter((id): id is string => !!id);
    void fetchTags(shown.filter((id) => !asked.has(id)));
  });
  socket.on('tags', ({ conversationId, tags: list }) => put(conversationId, list));
  // After a reconnect, what changed meanwhile is asked again.
  socket.on('connect', () => {
    asked.clear();
    const shown = [...tags.peek().keys()];
    void fetchTags(shown);
  });

  /** Every tag the lists' conversations carry, for the filter. */
  const known = computed(() => [...new Set([...tags.value.values()].flat())].sort());

  async function change(id: string, tag: string, add: boolean) {
    try {
      const ack = await call(socket, add ? 'tag:add' : 'tag:remove', { conversationId: id, tag });
      put(id, ack.tags);
      return true;
    } catch {
      toast(t('console.tags.error'), 'error');
      return false;
    }
  }

  return {
    of: (id: string): readonly string[] => tags.value.get(id) ?? [],
    known,
    filter: filter as ReadonlySignal<string | null>,
    setFilter: (tag: string | null) => (filter.value = tag),
    /** Whether a conversation passes the list filter. */
    shows: (id: string) => filter.value === null || (tags.value.get(id) ?? []).includes(filter.value),
    add: (id: string, tag: string) => change(id, tag, true),
    remove: (id: string, tag: string) => change(id, tag, false),
  };
}

/** The tags of a conversation as chips (lists). */
export function TagChips({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <span class="tag-chips">
      {tags.map((tag) => (
        <span key={tag} class="tag-chip" data-tag={tag}>
          {tag}
        </span>
      ))}
    </span>
  );
}

/** The conversation header's editor: chips with a remove button, and a field to add one. */
export function TagEditor({ state, id }: { state: TagsState; id: string }) {
  const { t } = useI18n<ConsoleKey>();
  const [draft, setDraft] = useState('');
  const [invalid, setInvalid] = useState(false);
  const tags = state.of(id);
  const submit = async (e: Event) => {
    e.preventDefault();
    const tag = normalizeTag(draft);
    if (tag === null) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    if (await state.add(id, tag)) setDraft('');
  };
  return (
    <div class="tag-editor" data-testid="tag-editor">
      <ul class="tag-chips" aria-label={t('console.tags.label')}>
        {tags.map((tag) => (
          <li key={tag} class="tag-chip" data-tag={tag}>
            {tag}
            <button type="button" class="tag-remove" aria-label={t('console.tags.remove', { tag })} onClick={() => void state.remove(id, tag)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form class="tag-form" onSubmit={(e) => void submit(e)}>
        <input
          class="tag-input"
          type="text"
          maxLength={MAX_TAG_LENGTH}
          value={draft}
          placeholder={t('console.tags.add')}
          aria-label={t('console.tags.add')}
          aria-invalid={invalid ? 'true' : undefined}
          title={invalid ? t('console.tags.invalid') : undefined}
          onInput={(e) => {
            setDraft(e.currentTarget.value);
            setInvalid(false);
          }}
        />
      </form>
      {invalid && (
        <span class="tag-invalid" role="alert">
          {t('console.tags.invalid')}
        </span>
      )}
    </div>
  );
}

/** The lists' filter: every tag the shown conversations carry. */
export function TagFilter({ state }: { state: TagsState }) {
  const { t } = useI18n<ConsoleKey>();
  const known = state.known.value;
  const current = state.filter.value;
  if (known.length === 0 && current === null) return null;
  return (
    <label class="tag-filter">
      <span class="sr-only">{t('console.tags.filter')}</span>
      <select value={current ?? ''} aria-label={t('console.tags.filter')} onChange={(e) => state.setFilter(e.currentTarget.value || null)}>
        <option value="">{t('console.tags.all')}</option>
        {[...new Set([...known, ...(current ? [current] : [])])].map((tag) => (
          <option key={tag} value={tag}>
            {tag}
          </option>
        ))}
      </select>
    </label>
  );
}
