// The reply box: Enter sends, Shift+Enter makes a new line, grows with its text,
// tells the visitor "typing" (throttled by client/lib/typing.ts).

import { useEffect, useMemo, useRef } from 'preact/hooks';
import { createTypingSender } from '../lib/typing.ts';

const SEND_PATH = 'M2.01 21 23 12 2.01 3 2 10l15 2-15 2z';

export interface ComposerProps {
  label: string;
  placeholder: string;
  enabled: boolean;
  /** Focus the box when it appears (the agent just opened or claimed the conversation). */
  autoFocus: boolean;
  onSend(body: string): void;
  onTyping(typing: boolean): void;
}

export function Composer({ label, placeholder, enabled, autoFocus, onSend, onTyping }: ComposerProps) {
  const ref = useRef<HTMLTextAreaElement>(null);
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
    if (input.value.trim() === '' || !enabled) return;
    const body = input.value;
    input.value = '';
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
      <textarea
        ref={ref}
        class="composer-input"
        rows={1}
        placeholder={placeholder}
        aria-label={label}
        title="Enter sends, Shift+Enter starts a new line"
        maxLength={4000}
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
          if (ref.current!.value.trim() !== '') typing.input();
        }}
      />
      <button type="submit" class="composer-send" aria-label="Send message" title="Send" disabled={!enabled}>
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
          <path d={SEND_PATH} fill="currentColor" />
        </svg>
      </button>
    </form>
  );
}
