// "Is typing…" both ways: a throttled sender for the composer, and an
// indicator that hides itself if the "stopped" event never comes.

import { h, setContent } from './dom.ts';
import type { CommonKey, I18n } from './i18n.ts';

const IDLE_MS = 2500;
const REPEAT_MS = 3000;
const SHOW_MS = 6000;

export function createTypingSender(emit: (typing: boolean) => void): { input(): void; stop(): void } {
  let typing = false;
  let lastSent = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearTimeout(idle);
    if (!typing) return;
    typing = false;
    emit(false);
  };
  return {
    input() {
      const now = Date.now();
      // Repeated while typing goes on, so an indicator that timed out comes back.
      if (!typing || now - lastSent > REPEAT_MS) {
        typing = true;
        lastSent = now;
        emit(true);
      }
      clearTimeout(idle);
      idle = setTimeout(stop, IDLE_MS);
    },
    stop,
  };
}

export function createTypingIndicator(i18n: Pick<I18n<CommonKey>, 't'>): { element: HTMLElement; show(name: string): void; hide(): void } {
  const element = h('div', { class: 'typing', hidden: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hide = () => {
    clearTimeout(timer);
    element.hidden = true;
  };
  return {
    element,
    show(name) {
      setContent(element, h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), ' ', i18n.t('common.typing', { name }));
      element.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(hide, SHOW_MS);
    },
    hide,
  };
}
