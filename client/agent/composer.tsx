// The reply box: Enter sends, Shift+Enter makes a new line, grows with its text,
// tells the visitor "typing" (throttled by client/lib/typing.ts). It counts toward
// the server's MAX_MESSAGE_LENGTH and never cuts a paste short: over the limit it
// says by how much and does not send.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleKey } from '../lib/i18n.ts';
import { lengthStatus, maxMessageLength } from '../lib/settings.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { createTypingSender } from '../lib/typing.ts';
import { ACCEPT, PAPERCLIP } from '../lib/attachment-view.ts';
import { filesOf } from '../lib/uploads.ts';

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
  /** Files picked with the attach button or pasted (attachments.tsx); without it, no attach button. */
  onFiles?(files: File[]): void;
}

export function Composer({ label, placeholder, enabled, autoFocus, onSend, onTyping, restored, onFiles }: ComposerProps) {
  const { t } = useI18n<ConsoleKey>();
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const limit = useMemo(() => maxMessageLength(), []);
  const countId = useMemo(() => `reply-count-${++composers}`, []);
  const [length, setLength] = useState(0);
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
      {onFiles && (
        <button type="button" class="composer-attach" aria-label={t('common.attach.button')} title={t('common.attach.button')} disabled={!enabled} onClick={() => picker.current?.click()}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path d={PAPERCLIP} fill="currentColor" />
          </svg>
        </button>
      )}
      {onFiles && (
        <input
            ref={picker}
            type="file"
            multiple
            accept={ACCEPT}
            class="sr-only"
            tabIndex={-1}
            aria-hidden="true"
            onChange={() => {
              const files = picker.current?.files;
              if (files?.length) onFiles([...files]);
              if (picker.current) picker.current.value = '';
            }}
          />
      )}
      <textarea
        ref={ref}
        onPaste={(e) => {
          const files = onFiles && enabled ? filesOf(e.clipboardData) : [];
          if (files.length === 0) return;
          e.preventDefault();
          onFiles!(files);
        }}
        class="composer-input"
        rows={1}
        placeholder={placeholder}
        aria-label={label}
        title={t('console.composer.hint')}
        aria-invalid={status.over}
        aria-describedby={countId}
        enterkeyhint="send"
        disabled={!enabled}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
        onInput={() => {
          grow();
          setLength(ref.current!.value.length);
          if (ref.current!.value.trim() !== '') typing.input();
        }}
      />
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
