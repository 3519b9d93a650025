// A closed conversation's satisfaction rating in the console, above its transcript: loaded with the
// conversation (history:get carries `csat`) and kept live by the `csat` event. Text only.

import { useEffect, useState } from 'preact/hooks';
import type { Csat } from '../../server/protocol/agent-tools.ts';
import { call } from '../lib/ack.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import type { AgentSocket } from './console-state.ts';

export const RATING_KEY = { good: 'console.csat.good', okay: 'console.csat.okay', bad: 'console.csat.bad' } as const satisfies Record<Csat['rating'], ConsoleKey>;
export const RATING_ICON = { good: '😊', okay: '😐', bad: '😞' } as const;

export function CsatBadge({ socket, conversationId, closed }: { socket: AgentSocket; conversationId: string; closed: boolean }) {
  const { t } = useI18n<ConsoleKey>();
  const [csat, setCsat] = useState<Csat | null>(null);
  useEffect(() => {
    if (!closed) return;
    let live = true;
    const onCsat = (c: Csat) => c.conversationId === conversationId && setCsat(c);
    socket.on('csat', onCsat);
    call(socket, 'history:get', { conversationId, limit: 1 })
      .then((r) => live && r.csat && setCsat((now) => now ?? r.csat ?? null))
      .catch(() => {});
    return () => {
      live = false;
      socket.off('csat', onCsat);
    };
  }, [conversationId, closed]);
  if (!closed) return null;
  return (
    <div class={`csat-badge${csat ? ` csat-${csat.rating}` : ''}`} role="status" data-csat={csat?.rating ?? 'none'}>
      {csat ? (
        <>
          <span class="csat-icon" aria-hidden="true">
            {RATING_ICON[csat.rating]}
          </span>
          <span>{t('console.csat.rated', { rating: t(RATING_KEY[csat.rating]) })}</span>
          {csat.comment && <q class="csat-comment">{csat.comment}</q>}
        </>
      ) : (
        <span class="muted">{t('console.csat.none')}</span>
      )}
    </div>
  );
}
