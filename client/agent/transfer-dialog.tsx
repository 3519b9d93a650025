// "Transfer to…": pick a teammate, see who is online, away or offline, and
// confirm before handing a visitor to someone who is not there. The team comes
// from GET /api/team, which every agent may read (GET /api/agents is admins' only).

import { useEffect, useState } from 'preact/hooks';
import type { Agent, AgentStatus, Role } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import { Modal } from '../ui/modal.tsx';

/** One entry of `GET /api/team` → `{agents: Teammate[]}`. */
export interface Teammate {
  id: string;
  name: string;
  role: Role;
  status: AgentStatus;
}

const STATUS_ORDER: Record<AgentStatus, number> = { online: 0, away: 1, offline: 2 };
const STATUS_TEXT: Record<AgentStatus, string> = { online: 'Online', away: 'Away', offline: 'Offline' };

async function loadTeam(me: Agent): Promise<Teammate[]> {
  const { agents } = await api<{ agents: Teammate[] }>('GET', '/api/team');
  return agents.filter((a) => a.id !== me.id).sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name));
}

export function TransferDialog({ me, visitorName, onPick, onClose }: { me: Agent; visitorName: string; onPick(t: Teammate): void; onClose(): void }) {
  const [team, setTeam] = useState<Teammate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string>('');
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    loadTeam(me)
      .then((list) => {
        setTeam(list);
        setPicked(list.find((t) => t.status === 'online')?.id ?? '');
      })
      .catch((err: unknown) => setError(err instanceof ApiError && err.status === 401 ? 'Your session has ended. Sign in again.' : 'Could not load the team. Try again.'));
  }, []);
  const choice = team?.find((t) => t.id === picked) ?? null;

  return (
    <Modal label="Transfer conversation" onClose={onClose}>
      <form
        class="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!choice) return;
          if (choice.status !== 'online' && !confirming) return setConfirming(true);
          onPick(choice);
        }}
      >
        <h2>Transfer conversation</h2>
        {confirming && choice ? (
          <p class="dialog-text" role="alert">
            {choice.name} is {choice.status === 'away' ? 'away' : 'offline'} and may not see {visitorName} soon. Transfer anyway?
          </p>
        ) : (
          <fieldset class="team-pick">
            <legend>Hand {visitorName} to</legend>
            {team === null && !error && <p class="muted">Loading team…</p>}
            {team?.length === 0 && <p class="muted">No teammates yet.</p>}
            {team?.map((t) => (
              <label key={t.id} class="team-option">
                <input type="radio" name="agent" value={t.id} checked={picked === t.id} onChange={() => setPicked(t.id)} />
                <span class="team-name">
                  {t.name}
                  {t.role === 'admin' && <span class="badge badge-admin">admin</span>}
                </span>
                <span class={`status status-${t.status}`}>{STATUS_TEXT[t.status]}</span>
              </label>
            ))}
            {error && (
              <p class="form-error" role="alert">
                {error}
              </p>
            )}
          </fieldset>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => (confirming ? setConfirming(false) : onClose())}>
            {confirming ? 'Back' : 'Cancel'}
          </button>
          <button type="submit" class="btn btn-primary" disabled={!choice}>
            {confirming ? 'Transfer anyway' : 'Transfer'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
