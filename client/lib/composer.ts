// The message box: Enter sends, Shift+Enter makes a new line, grows with its text.

import { h, icon, ICONS } from './dom.ts';

export interface Composer {
  element: HTMLFormElement;
  input: HTMLTextAreaElement;
  setEnabled(enabled: boolean, placeholder?: string): void;
  focus(): void;
}

export function createComposer(opts: { label: string; placeholder: string; onSend(body: string): void; onInput(): void }): Composer {
  const input = h('textarea', {
    class: 'composer-input',
    rows: 1,
    placeholder: opts.placeholder,
    'aria-label': opts.label,
    maxlength: 4000,
    enterkeyhint: 'send',
  });
  const button = h('button', { type: 'submit', class: 'composer-send', 'aria-label': 'Send message', title: 'Send' }, icon(ICONS.send, 18));
  const element = h('form', { class: 'composer', autocomplete: 'off' }, input, button);

  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
  };
  const submit = () => {
    const body = input.value;
    if (body.trim() === '' || input.disabled) return;
    input.value = '';
    grow();
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
    if (input.value.trim() !== '') opts.onInput();
  });

  return {
    element,
    input,
    setEnabled(enabled, placeholder) {
      input.disabled = !enabled;
      button.disabled = !enabled;
      input.placeholder = placeholder ?? opts.placeholder;
    },
    focus: () => input.focus(),
  };
}
