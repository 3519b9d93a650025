// The reply box: Enter sends, Shift+Enter makes a new line, grows with its text,
// tells the visitor "typing" (throttled by client/lib/typing.ts). It counts toward
// the server's MAX_MESSAGE_LENGTH and never cuts a paste short: over the limit it
// says by how much and does not send. A toggle switches it between a reply and a
// private note (agents only: no "typing" reaches the visitor while a note is written).

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleKey } from '../lib/i18n.ts';
import { lengthStatus, maxMessageLength } from '../lib/settings.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { createTypingSender } from '../lib/typing.ts';
import { createEmojiPicker, type EmojiPicker } from '../lib/emoji-picker.ts';
import { ACCEPT, PAPERCLIP } from '../lib/attachment-view.ts';
import { filesOf } from '../lib/uploads.ts';
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
  /** Private notes: whether this agent may write one here, where it goes, and the box's name meanwhile. */
  note?: { enabled: boolean; label: string; onNote(body: string): Promise<unknown> };
  /** Files picked with the attach button or pasted (attachments.tsx); without it, no attach button. Replies only: a file is never part of a note. */
  onFiles?(files: File[]): void;
  /** Canned replies behind `/`, and how their placeholders are filled in (canned.ts). */
  canned?: { replies: readonly CannedReply[]; fill(body: string): string };
}

export type ComposeMode = 'reply' | 'note';

export function Composer({ label, placeholder, enabled: replyEnabled, autoFocus, onSend, onTyping, restored, note, onFiles, canned }: ComposerProps) {
  const { t } = useI18n<ConsoleKey>();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [mode, setMode] = useState<ComposeMode>('reply');
  const noting = mode === 'note' && !!note?.enabled;
  const enabled = noting || (mode === 'reply' && replyEnabled);
  // Files go to the visitor: only while writing a reply, never from the note box.
  const filesEnabled = !!onFiles && mode === 'reply' && replyEnabled;
  const filePicker = useRef<HTMLInputElement>(null);
  const emojiSlot = useRef<HTMLSpanElement>(null);
  const emoji = useRef<EmojiPicker | null>(null);
  useEffect(() => {
    emoji.current = createEmojiPicker({ openLabel: t('console.emoji.open'), label: t('console.emoji.label'), target: () => ref.current });
    emojiSlot.current!.replaceChildren(emoji.current.element);
    return () => emoji.current?.close();
  }, []);
  useEffect(() => emoji.current?.setEnabled(enabled), [enabled]);
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
    if (noting) {
      // Refused or lost: the text comes back to the box (unless something new was typed).
      note!.onNote(body).catch(() => {
        if (ref.current && ref.current.value.trim() === '') {
          ref.current.value = body;
          grow();
          setLength(body.length);
        }
      });
    } else onSend(body);
  };
  const choose = (next: ComposeMode) => {
    if (next === 'note') typing.stop();
    setMode(next);
    ref.current?.focus();
  };

  return (
    <form
      class={`composer${noting ? ' composer-note' : ''}`}
      autocomplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
        ref.current?.focus();
      }}
    >
      {note && (
        <div class="composer-mode" role="group" aria-label={t('console.composer.mode')}>
          <button type="button" class="composer-mode-button" aria-pressed={mode === 'reply'} onClick={() => choose('reply')}>
            {t('console.composer.reply')}
          </button>
          <button type="button" class="composer-mode-button composer-mode-note" aria-pressed={mode === 'note'} disabled={!note.enabled} onClick={() => choose('note')}>
            {t('console.composer.note')}
          </button>
        </div>
      )}
      <span class="emoji-slot" ref={emojiSlot} />
      {onFiles && (
        <button type="button" class="composer-attach" aria-label={t('common.attach.button')} title={t('common.attach.button')} disabled={!filesEnabled} onClick={() => filePicker.current?.click()}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path d={PAPERCLIP} fill="currentColor" />
          </svg>
        </button>
      )}
      {onFiles && (
        <input
            ref={filePicker}
            type="file"
            multiple
            accept={ACCEPT}
            class="sr-only"
            tabIndex={-1}
            aria-hidden="true"
            onChange={() => {
              const files = filePicker.current?.files;
              if (files?.length && filesEnabled) onFiles([...files]);
              if (filePicker.current) filePicker.current.value = '';
            }}
          />
      )}
      <textarea
        ref={ref}
        onPaste={(e) => {
          const files = filesEnabled ? filesOf(e.clipboardData) : [];
          if (files.length === 0) return;
          e.preventDefault();
          onFiles!(files);
        }}
        class="composer-input"
        rows={1}
        placeholder={noting ? t('console.composer.notePlaceholder') : placeholder}
        aria-label={noting ? note!.label : label}
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
          if (ref.current!.value.trim() !== '' && !noting) typing.input();
          updatePicker();
        }}
      />
      {picker && <CannedPicker state={picker} onPick={(i) => insert(picker.items[i])} onHover={(i) => setPicker({ ...picker, active: i })} />}
      <button type="submit" class="composer-send" aria-label={noting ? t('console.composer.noteSendLabel') : t('console.composer.sendLabel')} title={t('console.composer.send')} disabled={!enabled || status.over}>
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
