// The list of canned replies the composer opens when the agent types `/` (at the start or after a
// space): filtered as they type, keyboard only works — ↑/↓ move, Enter or Tab inserts, Escape
// closes. A listbox the textarea controls (aria-activedescendant), so a screen reader follows.

import type { CannedReply } from '../../server/protocol/agent-tools.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';

export interface PickerState {
  start: number;
  query: string;
  items: CannedReply[];
  active: number;
}

export const PICKER_ID = 'canned-picker';
export const optionId = (i: number) => `canned-option-${i}`;

/** What a key does while the picker is open: move, pick, close, or nothing (the textarea handles it). */
export function pickerKey(key: string, state: PickerState): { kind: 'move'; active: number } | { kind: 'pick' } | { kind: 'close' } | null {
  const n = state.items.length;
  if (key === 'Escape') return { kind: 'close' };
  if (n === 0) return null;
  if (key === 'ArrowDown') return { kind: 'move', active: (state.active + 1) % n };
  if (key === 'ArrowUp') return { kind: 'move', active: (state.active - 1 + n) % n };
  if (key === 'Enter' || key === 'Tab') return { kind: 'pick' };
  return null;
}

export function CannedPicker({ state, onPick, onHover }: { state: PickerState; onPick(i: number): void; onHover(i: number): void }) {
  const { t } = useI18n<ConsoleKey>();
  return (
    <div class="canned-picker">
      {state.items.length === 0 ? (
        <p class="canned-empty" role="status">
          {t('console.canned.noMatch')}
        </p>
      ) : (
        <ul id={PICKER_ID} role="listbox" aria-label={t('console.canned.listLabel')}>
          {state.items.map((r, i) => (
            <li
              key={r.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === state.active}
              class={`canned-option${i === state.active ? ' active' : ''}`}
              onMouseDown={(e) => {
                e.preventDefault();
                onPick(i);
              }}
              onMouseEnter={() => onHover(i)}
            >
              <span class="canned-shortcut">/{r.shortcut}</span>
              {r.scope === 'team' && <span class="canned-scope">{t('console.canned.team')}</span>}
              <span class="canned-body">{r.body}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="canned-hint">{t('console.canned.keysHint')}</p>
    </div>
  );
}
