// The top bar of the console and the dashboard: brand, navigation, the
// signed-in agent, sign out, and the connection banner under it.

import type { Agent } from '../../server/protocol/shapes.ts';
import { logout } from './api.ts';
import { h, setContent } from './dom.ts';

export interface AppHeader {
  element: HTMLElement;
  banner: HTMLElement;
  setConnection(state: 'online' | 'reconnecting' | 'failed', text?: string): void;
}

export function createAppHeader(me: Agent, current: 'agent' | 'admin', extra: Node[] = []): AppHeader {
  const link = (href: string, label: string, key: 'agent' | 'admin') =>
    h('a', { href, class: `nav-link${current === key ? ' active' : ''}`, 'aria-current': current === key ? 'page' : null }, label);
  const element = h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: '/agent' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'P'), 'Parley'),
    h('nav', { class: 'app-nav', 'aria-label': 'Main' }, link('/agent', 'Console', 'agent'), me.role === 'admin' && link('/admin', 'Dashboard', 'admin')),
    h('div', { class: 'app-tools' }, ...extra, h('span', { class: 'me', title: me.email }, me.name), h('button', { type: 'button', class: 'btn btn-small', onclick: () => void logout() }, 'Sign out')),
  );
  const banner = h('div', { class: 'app-banner', role: 'status', hidden: true });
  return {
    element,
    banner,
    setConnection(state, text) {
      banner.hidden = state === 'online';
      banner.dataset.state = state;
      if (state === 'reconnecting') setContent(banner, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Reconnecting… new messages will appear when the connection is back.');
      if (state === 'failed') setContent(banner, text ?? 'Disconnected.');
    },
  };
}
