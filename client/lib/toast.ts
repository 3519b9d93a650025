// Short-lived notes ("Someone else claimed it") announced to screen readers.

import { h } from './dom.ts';

export function createToasts(): { element: HTMLElement; show(text: string, kind?: 'info' | 'error'): void } {
  const element = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    show(text, kind = 'info') {
      const toast = h('div', { class: `toast toast-${kind}` }, text);
      element.appendChild(toast);
      setTimeout(() => toast.remove(), 6000);
    },
  };
}
