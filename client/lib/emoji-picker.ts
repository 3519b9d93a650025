// The composer's emoji picker, for the widget and the console alike: a button that opens a small
// grid of emoji. Keyboard: Enter/Space on the button opens it with the first emoji focused; arrow
// keys move (rows of COLUMNS), Home/End jump, Enter/Space insert, Escape or Tab closes and focus
// goes back to the button. An emoji is inserted at the caret of the box it serves.

import { h, icon } from './dom.ts';

export const EMOJI = [
  '😀', '😊', '🙂', '😉', '😄', '😂',
  '😍', '🤔', '😅', '😮', '😕', '😢',
  '👍', '👎', '👋', '👏', '🙏', '🙌',
  '✅', '❌', '⚠️', '❤️', '⭐', '🎉',
  '💡', '📦', '🚚', '💳', '📧', '⏰',
] as const;
const COLUMNS = 6;
/** A drawn face, not an emoji character: the button reads the same whatever emoji font the system has. */
const FACE =
  'M11.99 2C6.47 2 2 6.48 2 12s4.47 10 9.99 10C17.52 22 22 17.52 22 12S17.52 2 11.99 2zM12 20c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8zm3.5-9c.83 0 1.5-.67 1.5-1.5S16.33 8 15.5 8 14 8.67 14 9.5s.67 1.5 1.5 1.5zm-7 0c.83 0 1.5-.67 1.5-1.5S9.33 8 8.5 8 7 8.67 7 9.5 7.67 11 8.5 11zm3.5 6.5c2.33 0 4.31-1.46 5.11-3.5H6.89c.8 2.04 2.78 3.5 5.11 3.5z';

/** Inserts `text` at the caret (replacing a selection) and tells the box's listeners, as typing would. */
export function insertAtCaret(input: HTMLTextAreaElement, text: string): void {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  input.setRangeText(text, start, end, 'end');
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

let pickers = 0;

export interface EmojiPicker {
  element: HTMLElement;
  setEnabled(enabled: boolean): void;
  close(): void;
}

export function createEmojiPicker(opts: {
  /** The button's accessible name ("Insert emoji"). */
  openLabel: string;
  /** The grid's accessible name ("Emoji"). */
  label: string;
  /** The box the emoji go into. */
  target: () => HTMLTextAreaElement | null;
}): EmojiPicker {
  const id = `emoji-grid-${++pickers}`;
  const toggle = h('button', { type: 'button', class: 'emoji-toggle', 'aria-label': opts.openLabel, title: opts.openLabel, 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': id }, icon(FACE, 20));
  const cells = EMOJI.map((emoji, i) => h('button', { type: 'button', class: 'emoji-cell', tabindex: i === 0 ? '0' : '-1', 'data-emoji': emoji }, emoji));
  const grid = h('div', { class: 'emoji-grid', id, role: 'group', 'aria-label': opts.label, hidden: true }, ...cells);
  const element = h('div', { class: 'emoji-picker' }, toggle, grid);
  let current = 0;

  const isOpen = () => !grid.hidden;
  function focusCell(i: number) {
    cells[current].tabIndex = -1;
    current = (i + cells.length) % cells.length;
    cells[current].tabIndex = 0;
    cells[current].focus();
  }
  function open() {
    grid.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    focusCell(0);
    document.addEventListener('pointerdown', outside, true);
  }
  function close(returnFocus = false) {
    if (!isOpen()) return;
    grid.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (returnFocus) toggle.focus();
  }
  function outside(e: Event) {
    if (!element.contains(e.target as Node)) close();
  }
  function pick(emoji: string) {
    const input = opts.target();
    close();
    if (!input || input.disabled) return;
    input.focus();
    insertAtCaret(input, emoji);
  }

  toggle.addEventListener('click', () => (isOpen() ? close(true) : open()));
  grid.addEventListener('click', (e) => {
    const cell = (e.target as Element).closest<HTMLElement>('.emoji-cell');
    if (cell?.dataset.emoji) pick(cell.dataset.emoji);
  });
  grid.addEventListener('keydown', (e) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    // In a right-to-left page the grid runs right to left: the arrows follow what the eye sees.
    const rtl = getComputedStyle(grid).direction === 'rtl';
    if (e.key in moves) {
      const step = rtl && (e.key === 'ArrowRight' || e.key === 'ArrowLeft') ? -moves[e.key] : moves[e.key];
      focusCell(current + step);
    } else if (e.key === 'Home') focusCell(0);
    else if (e.key === 'End') focusCell(cells.length - 1);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') close();
    else return;
    if (e.key !== 'Tab') e.preventDefault();
    e.stopPropagation();
  });

  return {
    element,
    setEnabled(enabled) {
      toggle.disabled = !enabled;
      if (!enabled) close();
    },
    close: () => close(),
  };
}
