// One conversation in the console: who and where it stands, the actions the
// agent may take on it, the transcript and the reply box — all drawn from its
// conversation model's snapshot.

import { useEffect, useState } from 'preact/hooks';
import type { Conversation } from '../../server/protocol/shapes.ts';
import { ago } from '../lib/format.ts';
import { Composer } from './composer.tsx';
import type { ConsoleState } from './console-state.ts';
import { Transcript } from './transcript.tsx';

export interface PaneProps {
  console: ConsoleState;
  id: string;
  onBack(): void;
  onDetails(): void;
  onClose(id: string): void;
  onTransfer(id: string): void;
}

function statusLine(c: Conversation, mine: boolean, position: number | null, peerOnline: boolean) {
  if (c.status === 'queued') return `Waiting in the queue${position ? ` (#${position})` : ''} · asked ${ago(Date.now() - Date.parse(c.createdAt))}`;
  if (c.status === 'closed') return 'Closed';
  if (!mine) return `With ${c.agent?.name ?? 'another agent'}`;
  return <span class={`presence${peerOnline ? ' online' : ''}`}>{peerOnline ? 'Online now' : 'Offline'}</span>;
}

export function ConversationPane({ console: con, id, onBack, onDetails, onClose, onTransfer }: PaneProps) {
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
  const notes = c.status === 'closed' ? ['This conversation was closed.'] : [];

  return (
    <section class="pane" aria-labelledby="pane-title" data-conversation={id}>
      <header class="pane-header">
        <button type="button" class="btn btn-small btn-quiet back-button" onClick={onBack} aria-label="Back to conversations">
          ‹ Back
        </button>
        <div class="pane-heading">
          <h2 class="pane-title" id="pane-title">
            {c.visitor.name}
          </h2>
          <p class="pane-status">{statusLine(c, mine, position, state.peerOnline)}</p>
        </div>
        <div class="pane-actions">
          <button type="button" class="btn btn-small details-button" onClick={onDetails} aria-label={`Details about ${c.visitor.name}`}>
            Details
          </button>
          {mine && (
            <>
              <button type="button" class="btn btn-small" onClick={() => con.release(id)}>
                Release
              </button>
              <button type="button" class="btn btn-small" onClick={() => onTransfer(id)}>
                Transfer…
              </button>
              <button type="button" class="btn btn-small btn-danger" onClick={() => onClose(id)}>
                Close
              </button>
            </>
          )}
          {!mine && c.status !== 'queued' && (
            <button type="button" class="btn btn-small" onClick={() => con.dismiss(id)}>
              Dismiss
            </button>
          )}
        </div>
      </header>
      {note && (
        <div class="pane-note" role="status">
          {note}
        </div>
      )}
      <Transcript
        state={state}
        label={`Conversation with ${c.visitor.name}`}
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
          <span>Waiting in the queue.</span>
          <button type="button" class="btn btn-primary" onClick={() => con.claim(id)}>
            Claim conversation
          </button>
        </div>
      ) : (
        c.status !== 'queued' && (
          <Composer
            key={id}
            label={`Reply to ${c.visitor.name}`}
            placeholder={c.status === 'closed' ? 'This conversation is closed' : mine ? 'Write a reply…' : 'Only the assigned agent can reply'}
            enabled={mine}
            autoFocus
            onSend={(body) => model?.send(body)}
            onTyping={(typing) => con.typing(id, typing)}
            restored={restored}
          />
        )
      )}
    </section>
  );
}
