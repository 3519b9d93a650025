// The reply box: Enter sends, Shift+Enter makes a new line, grows with its text,
// tells the visitor "typing" (throttled by client/lib/typing.ts). It counts toward
// the server's MAX_MESSAGE_LENGTH and never cuts a paste short: over the limit it
// says by how much and does not send.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleKey } from '../lib/i18n.ts';
import { lengthStatus, maxMessageLength } from '../lib/settings.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { createTypingSender } from '../lib/typing.ts';
import type { CannedReply } from '../../server/protocol/agent-tools.ts';
import { filterCanned, slashQuery } from './canned-text.ts';
import { CannedPicker, optionId, PICKER_ID, pickerKey, type PickerState } from './canned-picker.tsx';

let composers = 0;

const SEND_PATH = 'M2.01 21 23 12 2.01 3 2 10l15 2-15 2z';

export interface ComposerProps {
  label: string;
  placeholder: string;
  enabled: boolean;
  /** Focus the box when it appears (the agent just opened or claimed the conversation). */
  autoFocus: boolean;
  onSend(body: string): void;
  onTyping(typing: boolean): void;
  /** A refused message given back to edit; `n` changes each time, so the same text can come back twice. */
  restored?: { body: string; n: number } | null;
  /** Canned replies behind `/`, and how their placeholders are filled in (canned.ts). */
  canned?: { replies: readonly CannedReply[]; fill(body: string): string };
}

export function Composer({ label, placeholder, enabled, autoFocus, onSend, onTyping, restored, canned }: ComposerProps) {
  const { t } = useI18n<ConsoleKey>();
  const ref = useRef<HTMLTextAreaElement>(null);
  const limit = useMemo(() => maxMessageLength(), []);
  const countId = useMemo(() => `reply-count-${++composers}`, []);
  const [length, setLength] = useState(0);
  const [picker, setPicker] = useState<PickerState | null>(null);
  /** Opens, filters or closes the canned-reply list from the text before the caret. */
  const updatePicker = () => {
    const input = ref.current!;
    const found = canned && input.selectionStart === input.selectionEnd ? slashQuery(input.value, input.selectionStart) : null;
    setPicker(found ? { ...found, items: filterCanned(canned!.replies, found.query), active: 0 } : null);
  };
  const insert = (reply: CannedReply) => {
    const input = ref.current!;
    const text = canned!.fill(reply.body);
    const caret = input.selectionStart;
    input.value = input.value.slice(0, picker!.start) + text + input.value.slice(caret);
    const at = picker!.start + text.length;
    input.setSelectionRange(at, at);
    setPicker(null);
    grow();
    setLength(input.value.length);
    input.focus();
  };
  const status = lengthStatus(length, limit);
  useEffect(() => {
    const input = ref.current;
    if (!restored || !input || input.value.trim() !== '') return;
    input.value = restored.body;
    grow();
    setLength(input.value.length);
    input.focus();
  }, [restored?.n]);
  const typing = useMemo(() => createTypingSender(onTyping), []);
  useEffect(() => () => typing.stop(), []);
  useEffect(() => {
    if (autoFocus && enabled && matchMedia('(pointer: fine)').matches) ref.current?.focus();
  }, [autoFocus, enabled]);

  const grow = () => {
    const input = ref.current!;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
  };
  const submit = () => {
    const input = ref.current!;
    if (input.value.trim() === '' || !enabled || input.value.length > limit) return;
    const body = input.value;
    input.value = '';
    setLength(0);
    grow();
    typing.stop();
    setPicker(null);
    onSend(body);
  };

  return (
    <form
      class="composer"
      autocomplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
        ref.current?.focus();
      }}
    >
      <textarea
        ref={ref}
        class="composer-input"
        rows={1}
        placeholder={placeholder}
        aria-label={label}
        title={t('console.composer.hint')}
        aria-invalid={status.over}
        aria-describedby={countId}
        enterkeyhint="send"
        disabled={!enabled}
        aria-autocomplete={canned ? 'list' : undefined}
        aria-controls={picker ? PICKER_ID : undefined}
        aria-activedescendant={picker && picker.items.length > 0 ? optionId(picker.active) : undefined}
        onBlur={() => setPicker(null)}
        onKeyDown={(e) => {
          const action = picker && !e.isComposing ? pickerKey(e.key, picker) : null;
          if (action) {
            e.preventDefault();
            if (action.kind === 'move') setPicker({ ...picker!, active: action.active });
            else if (action.kind === 'close') setPicker(null);
            else insert(picker!.items[picker!.active]);
            return;
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
        onInput={() => {
          grow();
          setLength(ref.current!.value.length);
          if (ref.current!.value.trim() !== '') typing.input();
          updatePicker();
        }}
      />
      {picker && <CannedPicker state={picker} onPick={(i) => insert(picker.items[i])} onHover={(i) => setPicker({ ...picker, active: i })} />}
      <button type="submit" class="composer-send" aria-label={t('console.composer.sendLabel')} title={t('console.composer.send')} disabled={!enabled || status.over}>
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
          <path d={SEND_PATH} fill="currentColor" />
        </svg>
      </button>
      <p class={`composer-count${status.over ? ' over' : ''}`} id={countId} aria-live="polite" hidden={!status.shown}>
        {status.text}
      </p>
    </form>
  );
}
