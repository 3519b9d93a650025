// Short-lived notes ("Someone else claimed it") for the console and the dashboard,
// announced to screen readers. Shown at the top, clear of the composer.

import { signal } from '@preact/signals';

interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

const SHOWN_MS = 6000;

export function createToasts() {
  const list = signal<readonly Toast[]>([]);
  let next = 0;
  function show(text: string, kind: 'info' | 'error' = 'info') {
    const toast = { id: ++next, text, kind };
    list.value = [...list.peek(), toast].slice(-3);
    setTimeout(() => (list.value = list.peek().filter((t) => t !== toast)), SHOWN_MS);
  }
  function Toasts() {
    return (
      <div class="toasts" role="status" aria-live="polite">
        {list.value.map((t) => (
          <div key={t.id} class={`toast toast-${t.kind}`}>
            {t.text}
          </div>
        ))}
      </div>
    );
  }
  return { show, Toasts };
}
