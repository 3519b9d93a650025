// The message box: Enter sends, Shift+Enter makes a new line, grows with its text.
// It counts toward the server's message length (never cutting a paste short):
// near the limit it shows what is left, over it it says by how much and will not send.

import { h, icon, ICONS } from './dom.ts';
import { createEmojiPicker } from './emoji-picker.ts';
import type { CommonKey, I18n } from './i18n.ts';
import { lengthStatus } from './length-status.ts';
import { maxMessageLength } from './settings.ts';
import { ACCEPT, acceptPastes, PAPERCLIP } from './attachment-view.ts';

export interface Composer {
  element: HTMLFormElement;
  input: HTMLTextAreaElement;
  setEnabled(enabled: boolean, placeholder?: string): void;
  /** Gives a message back to edit (one the server refused), unless something new was typed. */
  restore(body: string): void;
  focus(): void;
}

let composers = 0;

export function createComposer(opts: {
  /** The page's language: the send button's label and the length counter. */
  i18n: I18n<CommonKey>;
  label: string;
  placeholder: string;
  onSend(body: string): void;
  onInput(): void;
  /** Defaults to the server's MAX_MESSAGE_LENGTH written into the page. */
  maxLength?: number;
  /** The emoji picker's labels, in the page's language: without them, no picker. */
  emoji?: { openLabel: string; label: string };
  /** Files picked with the attach button or pasted into the box; without it, no attach button. */
  onFiles?(files: File[]): void;
}): Composer {
  const limit = opts.maxLength ?? maxMessageLength();
  const input = h('textarea', {
    class: 'composer-input',
    rows: 1,
    placeholder: opts.placeholder,
    'aria-label': opts.label,
    enterkeyhint: 'send',
    // Typed text runs its own way (an English sentence in an Arabic chat), whatever the page's direction.
    dir: 'auto',
  });
  const counter = h('p', { class: 'composer-count', id: `composer-count-${++composers}`, 'aria-live': 'polite', hidden: true });
  input.setAttribute('aria-describedby', counter.id);
  const button = h(
    'button',
    { type: 'submit', class: 'composer-send', 'aria-label': opts.i18n.t('common.composer.send'), title: opts.i18n.t('common.composer.sendTitle') },
    icon(ICONS.send, 18),
  );
  const picker = opts.emoji ? createEmojiPicker({ ...opts.emoji, target: () => input }) : null;
  const onFiles = opts.onFiles;
  let attach: HTMLElement | null = null;
  let filePicker: HTMLInputElement | null = null;
  if (onFiles) {
    // Beside the button, not in it: nothing interactive may sit inside a button.
    const files = h('input', { type: 'file', multiple: true, accept: ACCEPT, class: 'sr-only', tabindex: '-1', 'aria-hidden': 'true' });
    filePicker = files;
    files.addEventListener('change', () => {
      if (files.files?.length) onFiles([...files.files]);
      files.value = '';
    });
    attach = h(
      'button',
      { type: 'button', class: 'composer-attach', 'aria-label': opts.i18n.t('common.attach.button'), title: opts.i18n.t('common.attach.button'), onclick: () => files.click() },
      icon(PAPERCLIP, 18),
    );
    acceptPastes(input, onFiles);
  }
  const element = h('form', { class: 'composer', autocomplete: 'off' }, attach, filePicker, picker?.element, input, button, counter);
  let enabled = true;

  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
  };
  const count = () => {
    const status = lengthStatus(input.value.length, limit, opts.i18n);
    counter.hidden = !status.shown;
    counter.classList.toggle('over', status.over);
    counter.textContent = status.text;
    input.setAttribute('aria-invalid', String(status.over));
    button.disabled = !enabled || status.over;
  };
  const submit = () => {
    const body = input.value;
    if (body.trim() === '' || input.disabled || body.length > limit) return;
    input.value = '';
    grow();
    count();
    opts.onSend(body);
  };
  element.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    input.focus();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    grow();
    count();
    if (input.value.trim() !== '') opts.onInput();
  });

  return {
    element,
    input,
    setEnabled(on, placeholder) {
      enabled = on;
      input.disabled = !on;
      picker?.setEnabled(on);
      if (attach) (attach as HTMLButtonElement).disabled = !on;
      input.placeholder = placeholder ?? opts.placeholder;
      count();
    },
    restore(body) {
      if (input.value.trim() !== '') return;
      input.value = body;
      grow();
      count();
      input.focus();
    },
    focus: () => input.focus(),
  };
}
