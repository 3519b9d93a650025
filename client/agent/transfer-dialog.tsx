// "Transfer to…": pick a teammate, see who is online, away or offline, and
// confirm before handing a visitor to someone who is not there. The team comes
// from GET /api/team, which every agent may read (GET /api/agents is admins' only).

import { useEffect, useState } from 'preact/hooks';
import type { Agent, AgentStatus, Role } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { Modal } from '../ui/modal.tsx';

/** One entry of `GET /api/team` → `{agents: Teammate[]}`. */
export interface Teammate {
  id: string;
  name: string;
  role: Role;
  status: AgentStatus;
}

const STATUS_ORDER: Record<AgentStatus, number> = { online: 0, away: 1, offline: 2 };
const STATUS_KEY: Record<AgentStatus, ConsoleKey> = { online: 'console.transfer.online', away: 'console.transfer.away', offline: 'console.transfer.offline' };

async function loadTeam(me: Agent): Promise<Teammate[]> {
  const { agents } = await api<{ agents: Teammate[] }>('GET', '/api/team');
  return agents.filter((a) => a.id !== me.id).sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name));
}

export function TransferDialog({ me, visitorName, onPick, onClose }: { me: Agent; visitorName: string; onPick(t: Teammate): void; onClose(): void }) {
  const { t } = useI18n<ConsoleKey>();
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
      .catch((err: unknown) => setError(err instanceof ApiError && err.status === 401 ? t('console.transfer.sessionEnded') : t('console.transfer.loadFailed')));
  }, []);
  const choice = team?.find((t) => t.id === picked) ?? null;

  return (
    <Modal label={t('console.transfer.title')} onClose={onClose}>
      <form
        class="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!choice) return;
          if (choice.status !== 'online' && !confirming) return setConfirming(true);
          onPick(choice);
        }}
      >
        <h2>{t('console.transfer.title')}</h2>
        {confirming && choice ? (
          <p class="dialog-text" role="alert">
            {t(choice.status === 'away' ? 'console.transfer.confirmAway' : 'console.transfer.confirmOffline', { agent: choice.name, visitor: visitorName })}
          </p>
        ) : (
          <fieldset class="team-pick">
            <legend>{t('console.transfer.legend', { name: visitorName })}</legend>
            {team === null && !error && <p class="muted">{t('console.transfer.loading')}</p>}
            {team?.length === 0 && <p class="muted">{t('console.transfer.noTeam')}</p>}
            {team?.map((m) => (
              <label key={m.id} class="team-option">
                <input type="radio" name="agent" value={m.id} checked={picked === m.id} onChange={() => setPicked(m.id)} />
                <span class="team-name">
                  {m.name}
                  {m.role === 'admin' && <span class="badge badge-admin">{t('common.ui.role.admin')}</span>}
                </span>
                <span class={`status status-${m.status}`}>{t(STATUS_KEY[m.status])}</span>
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
            {confirming ? t('console.transfer.back') : t('common.ui.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={!choice}>
            {confirming ? t('console.transfer.anyway') : t('console.transfer.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
