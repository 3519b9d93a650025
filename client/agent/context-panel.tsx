// The console's details column: who the visitor is and where they are now.
// Page addresses are shown as text; only http(s) ones become links.

import type { ComponentChildren } from 'preact';
import type { VisitorContext } from '../../server/protocol/events.ts';
import type { Conversation } from '../../server/protocol/shapes.ts';
import { isSafeHref } from '../lib/dom.ts';
import { fullTime, initials } from '../lib/format.ts';

export interface ContextPanelProps {
  conversation: Conversation | null;
  visitor: VisitorContext | null;
  onBack(): void;
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="context-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ContextPanel({ conversation, visitor, onBack }: ContextPanelProps) {
  const page = visitor?.page;
  const name = visitor?.name ?? conversation?.visitor.name ?? '';
  return (
    <aside class="context" aria-labelledby="context-heading">
      <div class="context-head">
        <h2 id="context-heading">Visitor details</h2>
        <button type="button" class="btn btn-small context-back" onClick={onBack}>
          Back to conversation
        </button>
      </div>
      {!conversation ? (
        <p class="empty">Select a conversation to see who you are talking to.</p>
      ) : (
        <div class="context-body">
          <div class="context-card">
            <span class="avatar avatar-large" aria-hidden="true">
              {initials(name)}
            </span>
            <p class="context-name">{name}</p>
            <p class={`presence${visitor?.online ? ' online' : ''}`}>{visitor ? (visitor.online ? 'Online now' : 'Offline') : '…'}</p>
          </div>
          <dl class="context-list">
            <Row label="Email">{visitor?.email ? <a href={isSafeHref(`mailto:${visitor.email}`) ? `mailto:${visitor.email}` : undefined}>{visitor.email}</a> : <span class="muted">Not given</span>}</Row>
            <Row label="Current page">
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
                <span class="muted">{visitor?.online ? 'Unknown' : 'Not on the site now'}</span>
              )}
            </Row>
            <Row label="Conversation started">{fullTime(conversation.createdAt)}</Row>
          </dl>
        </div>
      )}
    </aside>
  );
}
