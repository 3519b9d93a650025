// The console's details column: who the visitor is and where they are now.
// Page addresses are shown as text; only http(s) ones become links.

import type { ComponentChildren } from 'preact';
import type { VisitorContext } from '../../server/protocol/events.ts';
import type { Conversation } from '../../server/protocol/shapes.ts';
import { isSafeHref } from '../lib/dom.ts';
import { initials } from '../lib/format.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import type { AgentSocket } from './console-state.ts';
import { VisitorDetailsSection } from './visitor-details.tsx';

export interface ContextPanelProps {
  conversation: Conversation | null;
  visitor: VisitorContext | null;
  onBack(): void;
  /** For the visitor's details (visitor-details.tsx): pages, browser, earlier conversations. */
  socket?: AgentSocket;
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="context-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ContextPanel({ conversation, visitor, onBack, socket }: ContextPanelProps) {
  const { t, fullTime, name: shownName } = useI18n<ConsoleKey>();
  const page = visitor?.page;
  const name = shownName(visitor?.name ?? conversation?.visitor.name ?? '');
  return (
    <aside class="context" aria-labelledby="context-heading">
      <div class="context-head">
        <h2 id="context-heading">{t('console.context.heading')}</h2>
        <button type="button" class="btn btn-small context-back" onClick={onBack}>
          {t('console.context.back')}
        </button>
      </div>
      {!conversation ? (
        <p class="empty">{t('console.context.empty')}</p>
      ) : (
        <div class="context-body">
          <div class="context-card">
            <span class="avatar avatar-large" aria-hidden="true">
              {initials(name)}
            </span>
            <p class="context-name">{name}</p>
            {visitor?.verified && (
              <p class="context-verified" title={t('console.context.verifiedHint')}>
                <span aria-hidden="true">✓ </span>
                {t('console.context.verified')}
              </p>
            )}
            <p class={`presence${visitor?.online ? ' online' : ''}`}>{visitor ? (visitor.online ? t('console.presence.online') : t('console.presence.offline')) : '…'}</p>
          </div>
          <dl class="context-list">
            <Row label={t('console.context.email')}>{visitor?.email ? <a href={isSafeHref(`mailto:${visitor.email}`) ? `mailto:${visitor.email}` : undefined}>{visitor.email}</a> : <span class="muted">{t('console.context.notGiven')}</span>}</Row>
            <Row label={t('console.context.page')}>
              {page ? (
                <span class="context-page">
                  {page.title && <span class="context-page-title">{page.title}</span>}
                  {isSafeHref(page.url) && /^https?:/i.test(page.url) ? (
                    <a href={page.url} target="_blank" rel="noopener noreferrer nofollow" class="context-url">
                      {page.url}
                    </a>
                  ) : (
                    <span class="context-url">{page.url}</span>
                  )}
                </span>
              ) : (
                <span class="muted">{visitor?.online ? t('console.context.pageUnknown') : t('console.context.notOnSite')}</span>
              )}
            </Row>
            <Row label={t('console.context.started')}>
              <time dateTime={conversation.createdAt}>{fullTime(conversation.createdAt)}</time>
            </Row>
            {/* The host page's custom attributes (Parley.setAttributes): text only, never markup or links. */}
            {visitor &&
              Object.entries(visitor.attributes ?? {}).map(([key, value]) => (
                <Row key={key} label={key}>
                  <span class="context-attribute">{typeof value === 'boolean' ? (value ? t('console.context.yes') : t('console.context.no')) : String(value)}</span>
                </Row>
              ))}
          </dl>
          {socket && <VisitorDetailsSection key={conversation.id} socket={socket} conversationId={conversation.id} />}
        </div>
      )}
    </aside>
  );
}
