// The top bar of the console and the dashboard: brand, navigation, the page's
// own tools, the agent's language, the signed-in agent (their account: name and
// password), sign out; and the connection banner under it.

import type { ComponentChildren } from 'preact';
import type { Agent } from '../../server/protocol/shapes.ts';
import { logout } from '../lib/api.ts';
import type { CommonKey } from '../lib/i18n.ts';
import { useI18n } from './i18n-context.ts';
import { LanguagePicker } from './language-picker.tsx';
import { AccountDialog } from './account-dialog.tsx';
import { useState } from 'preact/hooks';

export type ConnectionState = { state: 'connecting' | 'online' | 'reconnecting' | 'failed'; text?: string };

export function AppHeader({ me, current, onError, children }: { me: Agent; current: 'agent' | 'admin' | 'reports' | 'settings'; onError(text: string): void; children?: ComponentChildren }) {
  const { t } = useI18n<CommonKey>();
  const [name, setName] = useState(me.name);
  const [accountOpen, setAccountOpen] = useState(false);
  const link = (href: string, label: string, key: 'agent' | 'admin' | 'reports' | 'settings') => (
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
        <span class="brand-name">{t('common.appName')}</span>
      </a>
      <nav class="app-nav" aria-label={t('common.ui.mainNav')}>
        {link('/agent', t('common.ui.console'), 'agent')}
        {me.role === 'admin' && link('/admin', t('common.ui.dashboard'), 'admin')}
        {me.role === 'admin' && link('/admin#reports', t('common.ui.reports'), 'reports')}
        {me.role === 'admin' && link('/admin#settings', t('common.ui.settings'), 'settings')}
      </nav>
      <div class="app-tools">
        {children}
        <LanguagePicker current={me.language} onError={onError} />
        {/* Named by its text (the visible name leads nothing else: WCAG 2.5.3), with what it opens before it for screen readers. */}
        <button type="button" class="btn btn-small me" title={me.email} aria-haspopup="dialog" onClick={() => setAccountOpen(true)}>
          <span class="sr-only">{t('common.account.title')} </span>
          <span class="me-name">{name}</span>
        </button>
        <button type="button" class="btn btn-small" onClick={() => void logout()}>
          {t('common.ui.signOut')}
        </button>
      </div>
      {accountOpen && <AccountDialog me={{ ...me, name }} onRenamed={(a) => setName(a.name)} onClose={() => setAccountOpen(false)} />}
    </header>
  );
}

/** Under the header: nothing while connected, else what is going on. */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const { t } = useI18n<CommonKey>();
  const { state, text } = connection;
  return (
    <div class="app-banner" role="status" data-state={state} hidden={state === 'online' || state === 'connecting'}>
      {state === 'reconnecting' && (
        <>
          <span class="spinner" aria-hidden="true" /> {t('common.ui.reconnecting')}
        </>
      )}
      {state === 'failed' && (text ?? t('common.ui.disconnected'))}
    </div>
  );
}
