// The top bar of the console and the dashboard: brand, navigation, the page's
// own tools, the signed-in agent, sign out; and the connection banner under it.

import type { ComponentChildren } from 'preact';
import type { Agent } from '../../server/protocol/shapes.ts';
import { logout } from '../lib/api.ts';

export type ConnectionState = { state: 'connecting' | 'online' | 'reconnecting' | 'failed'; text?: string };

export function AppHeader({ me, current, children }: { me: Agent; current: 'agent' | 'admin'; children?: ComponentChildren }) {
  const link = (href: string, label: string, key: 'agent' | 'admin') => (
    <a href={href} class={`nav-link${current === key ? ' active' : ''}`} aria-current={current === key ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header class="app-header">
      <a class="brand" href="/agent">
        <span class="brand-mark" aria-hidden="true">
          P
        </span>
        <span class="brand-name">Parley</span>
      </a>
      <nav class="app-nav" aria-label="Main">
        {link('/agent', 'Console', 'agent')}
        {me.role === 'admin' && link('/admin', 'Dashboard', 'admin')}
      </nav>
      <div class="app-tools">
        {children}
        <span class="me" title={me.email}>
          {me.name}
        </span>
        <button type="button" class="btn btn-small" onClick={() => void logout()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

/** Under the header: nothing while connected, else what is going on. */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const { state, text } = connection;
  return (
    <div class="app-banner" role="status" data-state={state} hidden={state === 'online' || state === 'connecting'}>
      {state === 'reconnecting' && (
        <>
          <span class="spinner" aria-hidden="true" /> Reconnecting… new messages will appear when the connection is back.
        </>
      )}
      {state === 'failed' && (text ?? 'Disconnected.')}
    </div>
  );
}
