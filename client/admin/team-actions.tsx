// What an admin does to one teammate's account from the team table: edit name and role
// (PATCH /api/agents/:id), reset the password (POST /api/agents/:id/password: the new one is
// shown once), disable or enable, delete (DELETE /api/agents/:id). Every refusal in words.

import { type Dispatch, type StateUpdater, useEffect, useState } from 'preact/hooks';
import type { Agent, Role, TeamMember } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { ConfirmDialog, Modal } from '../ui/modal.tsx';

export type TeamDialog =
  | { kind: 'edit' | 'reset' | 'disable' | 'enable' | 'delete'; member: TeamMember }
  | { kind: 'password'; member: TeamMember; password: string };

export function TeamActions({ member, self, open }: { member: TeamMember; self: boolean; open(d: TeamDialog): void }) {
  const { t } = useI18n<AdminKey>();
  const name = member.name;
  return (
    <span class="team-actions">
      <button type="button" class="btn btn-small" aria-label={t('admin.team.editLabel', { name })} onClick={() => open({ kind: 'edit', member })}>
        {t('admin.team.edit')}
      </button>
      {/* Own password: under Account; own account: never disabled or deleted from here (the server refuses it too). */}
      {!self && (
        <>
          <button type="button" class="btn btn-small" aria-label={t('admin.team.resetLabel', { name })} onClick={() => open({ kind: 'reset', member })}>
            {t('admin.team.resetPassword')}
          </button>
          {member.disabled ? (
            <button type="button" class="btn btn-small" aria-label={t('admin.team.enableLabel', { name })} onClick={() => open({ kind: 'enable', member })}>
              {t('admin.team.enable')}
            </button>
          ) : (
            <button type="button" class="btn btn-small btn-danger" aria-label={t('admin.team.disableLabel', { name })} onClick={() => open({ kind: 'disable', member })}>
              {t('admin.team.disable')}
            </button>
          )}
          <button type="button" class="btn btn-small btn-danger" aria-label={t('admin.team.deleteLabel', { name })} onClick={() => open({ kind: 'delete', member })}>
            {t('admin.team.delete')}
          </button>
        </>
      )}
    </span>
  );
}

export function TeamDialogs({ dialog, setDialog, done }: { dialog: TeamDialog; setDialog: Dispatch<StateUpdater<TeamDialog | null>>; done(text: string, error: boolean): void }) {
  const { t } = useI18n<AdminKey>();
  const { member } = dialog;
  const name = member.name;
  // Only this dialog: a <dialog> also reports its close when it is taken away for the next one
  // (the confirmation, replaced by the new password), and that one must stay.
  const close = () => setDialog((d) => (d === dialog ? null : d));
  const path = `/api/agents/${encodeURIComponent(member.id)}`;

  /** The server's refusal, for this teammate. */
  const refusal = (err: unknown): string => {
    if (!(err instanceof ApiError)) return t('admin.team.error.network');
    if (err.code === 'conflict') return err.message.includes('handled') ? t('admin.team.error.handled', { name }) : t('admin.team.error.lastAdmin');
    if (err.code === 'unauthorized') return t('admin.team.error.session');
    return t('admin.team.error.action', { name });
  };
  const run = async (work: () => Promise<string | void>) => {
    try {
      const text = await work();
      if (text) {
        close();
        done(text, false);
      }
    } catch (err) {
      close();
      done(refusal(err), true);
    }
  };

  switch (dialog.kind) {
    case 'edit':
      return <EditDialog member={member} onCancel={close} onSave={(patch) => void run(async () => {
        const { agent } = await api<{ agent: Agent }>('PATCH', path, patch);
        return t('admin.team.saved', { name: agent.name });
      })} />;
    case 'reset':
      return (
        <ConfirmDialog
          title={t('admin.team.resetTitle', { name })}
          body={t('admin.team.resetBody')}
          confirm={t('admin.team.resetConfirm')}
          danger
          onCancel={close}
          onConfirm={() =>
            void run(async () => {
              const { password } = await api<{ password: string }>('POST', `${path}/password`);
              // Shown once, in its own dialog; the table refreshes behind it.
              setDialog({ kind: 'password', member, password });
            })
          }
        />
      );
    case 'password':
      return (
        <Modal label={t('admin.team.newPasswordTitle', { name })} onClose={close}>
          <div class="dialog-form">
            <h2>{t('admin.team.newPasswordTitle', { name })}</h2>
            <p class="dialog-text">{t('admin.team.newPasswordBody', { name })}</p>
            <p class="new-password">
              <code id="new-password">{dialog.password}</code>
            </p>
            <div class="dialog-actions">
              <button type="button" class="btn btn-primary" autofocus onClick={close}>
                {t('admin.team.done')}
              </button>
            </div>
          </div>
        </Modal>
      );
    case 'enable':
      // Enabling takes nothing away: no question asked.
      return (
        <OnMount
          run={() =>
            run(async () => {
              await api('PATCH', path, { disabled: false });
              return t('admin.team.enabledDone', { name });
            })
          }
        />
      );
    case 'disable':
      return (
        <ConfirmDialog
          title={t('admin.team.disableTitle', { name })}
          body={t('admin.team.disableBody', { name })}
          confirm={t('admin.team.disable')}
          danger
          onCancel={close}
          onConfirm={() =>
            void run(async () => {
              await api('PATCH', path, { disabled: true });
              return t('admin.team.disabledDone', { name });
            })
          }
        />
      );
    case 'delete':
      return (
        <ConfirmDialog
          title={t('admin.team.deleteTitle', { name })}
          body={t('admin.team.deleteBody')}
          confirm={t('admin.team.delete')}
          danger
          onCancel={close}
          onConfirm={() =>
            void run(async () => {
              await api('DELETE', path);
              return t('admin.team.deleted', { name });
            })
          }
        />
      );
  }
}

/** Runs `run` once, when shown: an action that needs no dialog. */
function OnMount({ run }: { run(): Promise<unknown> }) {
  useEffect(() => void run(), []);
  return null;
}

function EditDialog({ member, onCancel, onSave }: { member: TeamMember; onCancel(): void; onSave(patch: { name?: string; role?: Role }): void }) {
  const { t } = useI18n<AdminKey>();
  const [name, setName] = useState(member.name);
  const [role, setRole] = useState<Role>(member.role);
  const [problem, setProblem] = useState<string | null>(null);
  const title = t('admin.team.editTitle', { name: member.name });
  return (
    <Modal label={title} onClose={onCancel}>
      <form
        class="dialog-form account-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const wanted = name.trim();
          if (!wanted || wanted.length > 100) return setProblem(t('admin.team.problem.nameTooLong'));
          const patch: { name?: string; role?: Role } = {};
          if (wanted !== member.name) patch.name = wanted;
          if (role !== member.role) patch.role = role;
          if (!patch.name && !patch.role) return onCancel();
          onSave(patch);
        }}
      >
        <h2>{title}</h2>
        <div class="field">
          <label for="edit-name">{t('admin.team.name')}</label>
          <input
            type="text"
            id="edit-name"
            value={name}
            maxLength={100}
            aria-invalid={problem ? 'true' : undefined}
            aria-describedby={problem ? 'edit-name-problem' : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {problem && (
            <p class="field-problem" id="edit-name-problem">
              {problem}
            </p>
          )}
        </div>
        <div class="field">
          <label for="edit-role">{t('admin.team.role')}</label>
          <select id="edit-role" value={role} onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'agent')}>
            <option value="agent">{t('admin.team.roleAgent')}</option>
            <option value="admin">{t('admin.team.roleAdmin')}</option>
          </select>
        </div>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.ui.cancel')}
          </button>
          <button type="submit" class="btn btn-primary">
            {t('admin.team.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
