// What the API tokens' and the webhooks' cards share: the dialog that shows a new secret once
// (with a Copy button), and a list of checkboxes, each a name and its machine name.

import { useState } from 'preact/hooks';
import type { AdminKey } from '../lib/i18n.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { Modal } from '../ui/modal.tsx';

/** A new secret, shown this once: the page never gets it again. */
export function SecretOnceDialog(props: { title: string; body: string; secret: string; codeId: string; copyFailed: string; onClose(): void }) {
  const { t } = useI18n<AdminKey>();
  const [copied, setCopied] = useState<boolean | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <Modal label={props.title} onClose={props.onClose}>
      <div class="dialog-form">
        <h2>{props.title}</h2>
        <p class="dialog-text">{props.body}</p>
        <p class="new-password">
          <code id={props.codeId}>{props.secret}</code>
        </p>
        <p class="form-message" role="status">
          {copied === true ? t('admin.tokens.copied') : copied === false ? props.copyFailed : ''}
        </p>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => void copy()}>
            {t('admin.tokens.copy')}
          </button>
          <button type="button" class="btn btn-primary" autofocus onClick={props.onClose}>
            {t('admin.tokens.done')}
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** Checkboxes for a set of machine names (scopes, events), each with its label; the problem below them. */
export function NameChecklist<N extends string>(props: {
  legend: string;
  names: readonly N[];
  label(name: N): string;
  checked: readonly N[];
  onToggle(name: N, on: boolean): void;
  problem: string | undefined;
  problemId: string;
}) {
  return (
    <fieldset class="choice-group token-scope-choices" aria-describedby={props.problem ? props.problemId : undefined}>
      <legend>{props.legend}</legend>
      {props.names.map((name) => (
        <label class="choice" key={name}>
          <input type="checkbox" value={name} checked={props.checked.includes(name)} onChange={(e) => props.onToggle(name, e.currentTarget.checked)} />
          <span>
            <strong>{props.label(name)}</strong>
            <code class="choice-hint">{name}</code>
          </span>
        </label>
      ))}
      {props.problem && (
        <p class="field-problem" id={props.problemId}>
          {props.problem}
        </p>
      )}
    </fieldset>
  );
}
