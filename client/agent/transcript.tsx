// One conversation's transcript, drawn from its model's snapshot: stored
// messages keyed by id, one's own unsent ones keyed by clientId, the receipt on
// the newest own message, the typing line. Keeps the reader's place: follows
// new messages only from the end, and holds still while older ones load above.

import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ConversationState, PendingMessage, ShownMessage } from '../lib/conversation-model.ts';
import { notSentText } from '../lib/error-text.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { NEAR_END } from '../lib/message-list.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { splitLinks } from '../lib/text.ts';

const GROUP_GAP_MS = 5 * 60_000;
const NEAR_END_PX = 80;

/** 'refused': failed in a way sending again cannot fix; offered back to edit instead. */
type Status = 'pending' | 'failed' | 'refused' | 'sent' | 'seen' | 'none';
/** Failed and refused ones say why instead (lib/error-text.ts). */
const STATUS_KEY: Record<'pending' | 'sent' | 'seen', ConsoleKey> = { pending: 'console.msg.sending', sent: 'console.msg.sent', seen: 'console.msg.seen' };

function Body({ text }: { text: string }) {
  return (
    <p class="msg-body">
      {splitLinks(text).map((part) =>
        part.href ? (
          <a href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

interface BubbleProps {
  kind: string;
  authorKey: string;
  name: string;
  body: string;
  createdAt: string;
  mine: boolean;
  continued: boolean;
  /** Far from the newest: laid out only near the screen (messages.css). */
  far?: boolean;
  status: Status;
  id?: string;
  /** Stored messages: what search opens the conversation at (search.tsx). */
  seq?: number;
  clientId: string;
  /** The code a failed message failed with (lib/error-text.ts says it in words). */
  error?: string | null;
  onRetry?: () => void;
  onEdit?: () => void;
}

function Bubble(p: BubbleProps) {
  const { t, clockTime, fullTime } = useI18n<ConsoleKey>();
  return (
    <div
      class={`msg ${p.mine ? 'msg-mine' : 'msg-theirs'} msg-${p.kind}${p.continued ? ' msg-continued' : ''}${p.far ? ' msg-far' : ''}`}
      data-id={p.id}
      data-seq={p.seq}
      data-client-id={p.clientId}
      data-status={p.status}
      data-author={p.authorKey}
    >
      <div class="msg-author">{p.name}</div>
      <div class="msg-bubble">
        <Body text={p.body} />
      </div>
      <div class="msg-meta">
        <time dateTime={p.createdAt} title={fullTime(p.createdAt)}>
          {clockTime(p.createdAt)}
        </time>
        {p.status !== 'none' && (
          <span class="msg-status">
            {' · '}
            {p.status === 'failed' || p.status === 'refused' ? (
              <>
                <span class="msg-failed">
                  {notSentText({ t }, p.error ?? null)}{' '}
                </span>
                <button type="button" class="link-button" onClick={p.status === 'failed' ? p.onRetry : p.onEdit}>
                  {p.status === 'failed' ? t('console.msg.retry') : t('console.msg.edit')}
                </button>
              </>
            ) : (
              t(STATUS_KEY[p.status])
            )}
          </span>
        )}
      </div>
    </div>
  );
}

export interface TranscriptProps {
  state: ConversationState;
  label: string;
  /** Notes from the product after the last message (closed, handed over). */
  notes: string[];
  onRetry(clientId: string): void;
  /** A refused message back into the composer. */
  onEdit(clientId: string): void;
  onLoadOlder(): void;
}

export function Transcript({ state, label, notes, onRetry, onEdit, onLoadOlder }: TranscriptProps) {
  const i18n = useI18n<ConsoleKey>();
  const { t } = i18n;
  const ref = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const last = useRef({ first: '', height: 0, pending: 0 });

  useLayoutEffect(() => {
    const el = ref.current!;
    const first = state.messages[0]?.id ?? '';
    const prev = last.current;
    if (prev.first && first !== prev.first && !atEnd.current) {
      // Older messages came in above: keep what the reader was looking at where it was.
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (atEnd.current || state.pending.length > prev.pending) {
      // At the end (new messages, a note), or the agent just wrote: show the newest.
      el.scrollTop = el.scrollHeight;
      atEnd.current = true;
    }
    last.current = { first, height: el.scrollHeight, pending: state.pending.length };
  });

  const onScroll = () => {
    const el = ref.current!;
    atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END_PX;
    if (el.scrollTop < 60 && state.hasOlder) onLoadOlder();
  };

  let prev: { author: string; at: number } | null = null;
  const continued = (author: string, createdAt: string) => {
    const at = Date.parse(createdAt) || 0;
    const result = prev !== null && prev.author === author && Math.abs(at - prev.at) < GROUP_GAP_MS;
    prev = { author, at };
    return result;
  };
  const stored = (m: ShownMessage, i: number) => {
    const author = `${m.author.kind}:${m.author.id}`;
    return (
      <Bubble
        key={m.id}
        id={m.id}
        seq={m.seq}
        clientId={m.clientId}
        kind={m.author.kind}
        authorKey={author}
        name={i18n.name(m.author.name)}
        body={m.body}
        createdAt={m.createdAt}
        mine={m.mine}
        continued={continued(author, m.createdAt)}
        far={i < state.messages.length - NEAR_END}
        status={state.receipt?.id === m.id ? state.receipt.status : 'none'}
      />
    );
  };
  const waiting = (p: PendingMessage) => (
    <Bubble
      key={p.clientId}
      clientId={p.clientId}
      kind="agent"
      authorKey="me"
      name={t('console.you')}
      body={p.body}
      createdAt={p.createdAt}
      mine
      continued={continued('me', p.createdAt)}
      status={p.state === 'sending' ? 'pending' : p.retryable ? 'failed' : 'refused'}
      error={p.error}
      onRetry={() => onRetry(p.clientId)}
      onEdit={() => onEdit(p.clientId)}
    />
  );

  return (
    <>
      <div ref={ref} class="msg-list" role="log" aria-live="polite" aria-label={label} tabIndex={0} onScroll={onScroll}>
        {state.hasOlder && (
          <button type="button" class="btn btn-small btn-quiet older-button" onClick={onLoadOlder}>
            {t('console.msg.loadOlder')}
          </button>
        )}
        {state.messages.map(stored)}
        {state.pending.map(waiting)}
        {notes.map((text) => (
          <div key={text} class="msg-system">
            {text}
          </div>
        ))}
      </div>
      <div class="typing" aria-live="polite">
        {state.typing && (
          <>
            <span class="typing-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>{' '}
            {t('console.typing', { name: i18n.name(state.typing.participant.name) })}
          </>
        )}
      </div>
    </>
  );
}
