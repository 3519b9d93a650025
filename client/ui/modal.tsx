// A modal <dialog> (focus trapped, Escape closes, the page behind inert) that
// is open while it is rendered. Its content is the caller's form.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { CommonKey } from '../lib/i18n.ts';
import { useI18n } from './i18n-context.ts';

export function Modal({ label, onClose, children }: { label: string; onClose(): void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    if (!dialog.open) dialog.showModal();
    return () => dialog.open && dialog.close();
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-label={label} onClose={onClose} onCancel={(e) => (e.preventDefault(), onClose())}>
      {children}
    </dialog>
  );
}

/** "Are you sure?" for an action that cannot be undone from here. */
export function ConfirmDialog(props: { title: string; body: ComponentChildren; confirm: string; danger?: boolean; onConfirm(): void; onCancel(): void }) {
  const { t } = useI18n<CommonKey>();
  return (
    <Modal label={props.title} onClose={props.onCancel}>
      <form
        class="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          props.onConfirm();
        }}
      >
        <h2>{props.title}</h2>
        <p class="dialog-text">{props.body}</p>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={props.onCancel}>
            {t('common.ui.cancel')}
          </button>
          <button type="submit" class={`btn ${props.danger ? 'btn-danger-solid' : 'btn-primary'}`} autofocus>
            {props.confirm}
          </button>
        </div>
      </form>
    </Modal>
  );
}
