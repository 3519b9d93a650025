// The visitor's details in the context panel beyond who they are: local time, browser and OS,
// first seen, the pages they viewed, and their earlier conversations — each opens read-only in a
// dialog. Fetched with `visitor:details` when the conversation changes. Text only; only http(s)
// addresses become links.

import { useEffect, useState } from 'preact/hooks';
import type { VisitorDetails } from '../../server/protocol/agent-tools.ts';
import type { Message } from '../../server/protocol/shapes.ts';
import { call } from '../lib/ack.ts';
import { isSafeHref } from '../lib/dom.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { Modal } from '../ui/modal.tsx';
import { useI18n } from '../ui/i18n-context.ts';
import type { AgentSocket } from './console-state.ts';
import { RATING_ICON, RATING_KEY } from './csat-badge.tsx';

const isWeb = (url: string) => isSafeHref(url) && (url.startsWith('https://') || url.startsWith('http://'));

/** The visitor's wall-clock time now, in their zone and the agent's language; null if the zone is unusable here. */
function localTime(zone: string, locale: string): string | null {
  try {
    return new Intl.DateTimeFormat(locale, { timeZone: zone, hour: 'numeric', minute: '2-digit', weekday: 'short' }).format(new Date());
  } catch {
    return null;
  }
}

function Transcript({ socket, conversationId, title, onClose }: { socket: AgentSocket; conversationId: string; title: string; onClose(): void }) {
  const { t, fullTime } = useI18n<ConsoleKey>();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    call(socket, 'history:get', { conversationId, limit: 100 })
      .then((r) => setMessages(r.messages))
      .catch(() => setFailed(true));
  }, [conversationId]);
  return (
    <Modal label={title} onClose={onClose}>
      <div class="dialog-form earlier-dialog">
        <h2>{title}</h2>
        <p class="muted">{t('console.details.readOnly')}</p>
        <ol class="earlier-transcript" aria-label={title}>
          {failed && <li class="muted">{t('console.details.loadFailed')}</li>}
          {!failed && !messages && <li class="muted">…</li>}
          {messages?.map((m) => (
            <li key={m.id} class={`earlier-msg earlier-${m.author.kind}`}>
              <span class="earlier-author">{m.author.name}</span> <time dateTime={m.createdAt}>{fullTime(m.createdAt)}</time>
              <p class="earlier-body">{m.body}</p>
            </li>
          ))}
        </ol>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose} autofocus>
            {t('console.details.closeTranscript')}
          </button>
        </div>
      </div>
    </Modal>
  );
}

export function VisitorDetailsSection({ socket, conversationId }: { socket: AgentSocket; conversationId: string }) {
  const i18n = useI18n<ConsoleKey>();
  const { t, fullTime } = i18n;
  const [details, setDetails] = useState<VisitorDetails | null>(null);
  const [open, setOpen] = useState<{ id: string; title: string } | null>(null);
  useEffect(() => {
    let live = true;
    setDetails(null);
    call(socket, 'visitor:details', { conversationId })
      .then((r) => live && setDetails(r.details))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [conversationId]);
  if (!details) return null;
  const time = details.timeZone ? localTime(details.timeZone, i18n.locale) : null;
  const unknown = <span class="muted">{t('console.details.unknown')}</span>;
  return (
    <>
      <dl class="context-list visitor-details">
        <div class="context-row">
          <dt>{t('console.details.localTime')}</dt>
          <dd>{time ? <span title={details.timeZone!}>{time}</span> : unknown}</dd>
        </div>
        <div class="context-row">
          <dt>{t('console.details.browser')}</dt>
          <dd data-field="browser">{details.browser || details.os ? [details.browser, details.os].filter(Boolean).join(' · ') : unknown}</dd>
        </div>
        <div class="context-row">
          <dt>{t('console.details.firstSeen')}</dt>
          <dd>
            <time dateTime={details.firstSeen}>{fullTime(details.firstSeen)}</time>
          </dd>
        </div>
      </dl>
      <section class="context-section" aria-labelledby="pages-heading">
        <h3 id="pages-heading">{t('console.details.pages')}</h3>
        {details.pages.length === 0 ? (
          <p class="muted">{t('console.details.noPages')}</p>
        ) : (
          <ol class="page-list">
            {details.pages.slice(0, 10).map((p, i) => (
              <li key={`${p.at}-${i}`}>
                {isWeb(p.url) ? (
                  <a href={p.url} target="_blank" rel="noopener noreferrer nofollow" class="context-url">
                    {p.title || p.url}
                  </a>
                ) : (
                  <span class="context-url">{p.title || p.url}</span>
                )}
                <time dateTime={p.at} class="muted">
                  {' '}
                  {i18n.ago(Date.now() - Date.parse(p.at))}
                </time>
              </li>
            ))}
          </ol>
        )}
      </section>
      <section class="context-section" aria-labelledby="earlier-heading">
        <h3 id="earlier-heading">{t('console.details.earlier')}</h3>
        {details.earlier.length === 0 ? (
          <p class="muted">{t('console.details.noEarlier')}</p>
        ) : (
          <ul class="earlier-list">
            {details.earlier.map((c) => {
              const title = t('console.details.earlierTitle', { date: fullTime(c.createdAt) });
              return (
                <li key={c.id}>
                  <button type="button" class="link-button earlier-open" onClick={() => setOpen({ id: c.id, title })}>
                    {fullTime(c.createdAt)}
                  </button>{' '}
                  <span class="muted">{t('console.details.messages', { count: c.lastSeq })}</span>
                  {c.csat && (
                    <span class="earlier-csat" title={t(RATING_KEY[c.csat])}>
                      {' '}
                      {RATING_ICON[c.csat]}
                      <span class="sr-only">{t(RATING_KEY[c.csat])}</span>
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {open && <Transcript socket={socket} conversationId={open.id} title={open.title} onClose={() => setOpen(null)} />}
    </>
  );
}
