// One conversation in the console: who and where it stands, the actions the
// agent may take on it, the transcript and the reply box — all drawn from its
// conversation model's snapshot.

import { useEffect, useState } from 'preact/hooks';
import type { Conversation } from '../../server/protocol/shapes.ts';
import type { ConsoleKey, I18n } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { AttachingComposer } from './attachments.tsx';
import type { ConsoleState } from './console-state.ts';
import { Transcript } from './transcript.tsx';
import { TagEditor, type TagsState } from './tags.tsx';
import type { Agent } from '../../server/protocol/shapes.ts';
import type { CannedStore } from './canned.ts';
import { fillPlaceholders } from './canned-text.ts';
import type { AgentSocket } from './console-state.ts';
import { CsatBadge } from './csat-badge.tsx';

export interface PaneProps {
  console: ConsoleState;
  /** Tags (#17): the editor under the title. */
  tags?: TagsState;
  id: string;
  onBack(): void;
  onDetails(): void;
  onClose(id: string): void;
  onTransfer(id: string): void;
  /** Canned replies and the rating of a closed conversation (issue #17). */
  tools?: { canned: CannedStore; me: Agent; socket: AgentSocket };
}

function statusLine(i18n: I18n<ConsoleKey>, c: Conversation, mine: boolean, position: number | null, peerOnline: boolean) {
  const { t } = i18n;
  if (c.status === 'queued') {
    const ago = i18n.ago(Date.now() - Date.parse(c.createdAt));
    return position ? t('console.pane.queuedAt', { position, ago }) : t('console.pane.queued', { ago });
  }
  if (c.status === 'closed') return t('console.pane.closed');
  if (!mine) return c.agent ? t('console.pane.withAgent', { name: c.agent.name }) : t('console.pane.withAnother');
  return <span class={`presence${peerOnline ? ' online' : ''}`}>{peerOnline ? t('console.presence.online') : t('console.presence.offline')}</span>;
}

export function ConversationPane({ console: con, tags, id, onBack, onDetails, onClose, onTransfer, tools }: PaneProps) {
  const i18n = useI18n<ConsoleKey>();
  const { t } = i18n;
  const state = con.stateOf(id)?.value;
  const note = con.notes.value[id];
  const position = con.queue.value.find((q) => q.id === id)?.queuePosition ?? null;
  // The wait in the status line ticks while the conversation is queued.
  const [, tick] = useState(0);
  // A message the server refused, given back to the composer to edit.
  const [restored, setRestored] = useState<{ body: string; n: number } | null>(null);
  const queued = state?.conversation?.status === 'queued';
  useEffect(() => {
    if (!queued) return;
    const timer = setInterval(() => tick((n) => n + 1), 10_000);
    return () => clearInterval(timer);
  }, [queued]);
  if (!state?.conversation) return null;
  const c = state.conversation;
  const mine = con.isMine(c);
  const model = con.model(id);
  const notes = c.status === 'closed' ? [t('console.note.closed')] : [];
  // Read to redraw when any conversation's private notes change.
  void con.privateNotes.version.value;
  const privateNotes = con.privateNotes.of(id);
  // Whoever may read the conversation may write a note: its agent, admins, anyone once it is closed.
  const canNote = mine || c.status === 'closed' || con.me.role === 'admin';
  // {{visitor.name}} and {{agent.name}}, filled in when a reply is inserted and again before it is sent.
  const fill = (body: string) => fillPlaceholders(body, { visitorName: c.visitor.name, agentName: tools?.me.name ?? '', fallback: t('console.canned.visitorFallback') });

  return (
    <section class="pane" aria-labelledby="pane-title" data-conversation={id}>
      <header class="pane-header">
        <button type="button" class="btn btn-small btn-quiet back-button" onClick={onBack} aria-label={t('console.pane.backLabel')}>
          {t('console.pane.back')}
        </button>
        <div class="pane-heading">
          <h2 class="pane-title" id="pane-title">
            {i18n.name(c.visitor.name)}
          </h2>
          <p class="pane-status">{statusLine(i18n, c, mine, position, state.peerOnline)}</p>
          {tags && <TagEditor state={tags} id={id} />}
        </div>
        <div class="pane-actions">
          <button type="button" class="btn btn-small details-button" onClick={onDetails} aria-label={t('console.pane.detailsLabel', { name: i18n.name(c.visitor.name) })}>
            {t('console.pane.details')}
          </button>
          {mine && (
            <>
              <button type="button" class="btn btn-small" onClick={() => con.release(id)}>
                {t('console.pane.release')}
              </button>
              <button type="button" class="btn btn-small" onClick={() => onTransfer(id)}>
                {t('console.pane.transfer')}
              </button>
              <button type="button" class="btn btn-small btn-danger" onClick={() => onClose(id)}>
                {t('console.pane.close')}
              </button>
            </>
          )}
          {!mine && c.status !== 'queued' && (
            <button type="button" class="btn btn-small" onClick={() => con.dismiss(id)}>
              {t('console.pane.dismiss')}
            </button>
          )}
        </div>
      </header>
      {note && (
        <div class="pane-note" role="status">
          {note}
        </div>
      )}
      {tools && <CsatBadge socket={tools.socket} conversationId={id} closed={c.status === 'closed'} />}
      <Transcript
        state={state}
        privateNotes={privateNotes}
        label={t('console.pane.transcriptLabel', { name: i18n.name(c.visitor.name) })}
        notes={notes}
        onRetry={(clientId) => model?.retry(clientId)}
        onEdit={(clientId) => {
          const body = model?.discard(clientId);
          if (body != null) setRestored({ body, n: (restored?.n ?? 0) + 1 });
        }}
        onLoadOlder={() => void model?.loadOlder().catch(() => {})}
      />
      {c.status === 'queued' && !note ? (
        <div class="claim-bar">
          <span>{t('console.pane.waiting')}</span>
          <button type="button" class="btn btn-primary" onClick={() => con.claim(id)}>
            {t('console.pane.claim')}
          </button>
        </div>
      ) : (
        c.status !== 'queued' && (
          <AttachingComposer
            key={id}
            onUploaded={(attachment) => model?.send('', attachment)}
            label={t('console.composer.label', { name: i18n.name(c.visitor.name) })}
            placeholder={c.status === 'closed' ? t('console.composer.closed') : mine ? t('console.composer.placeholder') : t('console.composer.notYours')}
            enabled={mine}
            autoFocus
            onSend={(body) => model?.send(tools ? fill(body) : body)}
            onTyping={(typing) => con.typing(id, typing)}
            restored={restored}
            note={{ enabled: canNote, label: t('console.composer.noteLabel', { name: i18n.name(c.visitor.name) }), onNote: (body) => con.privateNotes.add(id, body) }}
            canned={tools && { replies: tools.canned.replies.value, fill }}
          />
        )
      )}
    </section>
  );
}
