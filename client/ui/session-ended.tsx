// Shown when the server ended this page's session because the account changed (`session:ended`:
// disabled, deleted, password changed elsewhere, no longer an admin): why, in the agent's
// language, and the way on. The page behind stays inert; nothing there works any more.

import type { SessionEndReason } from '../../server/protocol/events.ts';
import type { CommonKey } from '../lib/i18n.ts';
import { useI18n } from './i18n-context.ts';
import { Modal } from './modal.tsx';

const WHY: Record<SessionEndReason, CommonKey> = {
  disabled: 'common.ended.disabled',
  deleted: 'common.ended.deleted',
  password_changed: 'common.ended.passwordChanged',
  role_changed: 'common.ended.roleChanged',
};

export function SessionEnded({ reason }: { reason: SessionEndReason }) {
  const { t } = useI18n<CommonKey>();
  // No longer an admin: still an agent, whose console works.
  const [href, label] = reason === 'role_changed' ? ['/agent', t('common.ended.toConsole')] : ['/login', t('common.ended.signIn')];
  return (
    <Modal label={t('common.ended.title')} onClose={() => {}}>
      <div class="dialog-form session-ended" role="alertdialog" aria-labelledby="session-ended-title" aria-describedby="session-ended-why">
        <h2 id="session-ended-title">{t('common.ended.title')}</h2>
        <p class="dialog-text" id="session-ended-why">
          {t(WHY[reason] ?? 'common.ended.disabled')}
        </p>
        <div class="dialog-actions">
          <a class="btn btn-primary" href={href} autofocus>
            {label}
          </a>
        </div>
      </div>
    </Modal>
  );
}
