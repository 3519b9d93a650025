// One conversation's transcript, drawn from its model's snapshot: stored
// messages keyed by id, one's own unsent ones keyed by clientId, the receipt on
// the newest own message, the typing line. Keeps the reader's place: follows
// new messages only from the end, and holds still while older ones load above.

import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Note } from '../../server/protocol/shapes.ts';
import type { ConversationState, PendingMessage, ShownMessage } from '../lib/conversation-model.ts';
import { notSentText } from '../lib/error-text.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { NEAR_END } from '../lib/message-list.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { renderRichText } from '../lib/rich-text-dom.ts';
import type { Attachment } from '../../server/protocol/shapes.ts';
import type { AttachmentInfo } from '../lib/outbox.ts';
import { AttachmentView } from './attachments.tsx';

const GROUP_GAP_MS = 5 * 60_000;
const NEAR_END_PX = 80;

/** 'refused': failed in a way sending again cannot fix; offered back to edit instead. */
type Status = 'pending' | 'failed' | 'refused' | 'sent' | 'seen' | 'none';
/** Failed and refused ones say why instead (lib/error-text.ts). */
const STATUS_KEY: Record<'pending' | 'sent' | 'seen', ConsoleKey> = { pending: 'console.msg.sending', sent: 'console.msg.sent', seen: 'console.msg.seen' };

/** The body through the one shared renderer (lib/rich-text.ts): Preact owns the <p>, never its content. */
function Body({ text }: { text: string }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useLayoutEffect(() => {
    ref.current!.replaceChildren(renderRichText(text));
  }, [text]);
  return <p class="msg-body" ref={ref} />;
}

interface BubbleProps {
  kind: string;
  authorKey: string;
  name: string;
  body: string;
  attachment?: Attachment | AttachmentInfo;
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
        {p.attachment && <AttachmentView attachment={p.attachment} />}
        {(p.body !== '' || !p.attachment) && <Body text={p.body} />}
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

const LOCK = 'M12 1a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V11a2 2 0 0 0-2-2h-1V6a5 5 0 0 0-5-5zm-3 8V6a3 3 0 1 1 6 0v3H9z';

/** A private note, inline where it was written: marked in words and look, never a message bubble. */
function NoteBubble({ note }: { note: Note }) {
  const i18n = useI18n<ConsoleKey>();
  const { t, clockTime, fullTime } = i18n;
  return (
    <div class="msg msg-note" data-note-id={note.id} data-client-id={note.clientId} role="group" aria-label={t('console.notes.label')}>
      <div class="msg-author">
        <span class="note-badge">
          <svg viewBox="0 0 24 24" width="12" height="12" aria-hidden="true" focusable="false">
            <path d={LOCK} fill="currentColor" />
          </svg>{' '}
          {t('console.notes.label')}
        </span>
        {' · '}
        {i18n.name(note.author.name)}
      </div>
      <div class="msg-bubble">
        <Body text={note.body} />
      </div>
      <div class="msg-meta">
        <time dateTime={note.createdAt} title={fullTime(note.createdAt)}>
          {clockTime(note.createdAt)}
        </time>
        {' · '}
        {t('console.notes.hidden')}
      </div>
    </div>
  );
}

/**
 * Messages with the notes between them: a note goes after the message its afterSeq names (or the
 * last loaded one before it). Notes before the first loaded message wait until older ones load.
 */
function interleaved<N>(state: ConversationState, list: readonly Note[], message: (m: ShownMessage, i: number) => N, note: (n: Note) => N): N[] {
  const out: N[] = [];
  const messages = state.messages;
  let k = 0;
  const first = messages[0]?.seq ?? Infinity;
  // Before the first loaded message: only when nothing older is left to load, or it sits right there.
  while (k < list.length && list[k].afterSeq < first) {
    if (!state.hasOlder || list[k].afterSeq >= first - 1) out.push(note(list[k]));
    k++;
  }
  messages.forEach((m, i) => {
    out.push(message(m, i));
    const nextSeq = messages[i + 1]?.seq ?? Infinity;
    while (k < list.length && list[k].afterSeq < nextSeq) out.push(note(list[k++]));
  });
  return out;
}

export interface TranscriptProps {
  state: ConversationState;
  /** This conversation's private notes, in order (each placed after its afterSeq). */
  privateNotes: readonly Note[];
  label: string;
  /** Notes from the product after the last message (closed, handed over). */
  notes: string[];
  onRetry(clientId: string): void;
  /** A refused message back into the composer. */
  onEdit(clientId: string): void;
  onLoadOlder(): void;
}

export function Transcript({ state, privateNotes, label, notes, onRetry, onEdit, onLoadOlder }: TranscriptProps) {
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
        attachment={m.attachment}
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
      attachment={p.attachment}
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
        {interleaved(state, privateNotes, stored, (n) => {
          prev = null; // a note breaks a run of one author's messages
          return <NoteBubble key={`note:${n.id}`} note={n} />;
        })}
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
