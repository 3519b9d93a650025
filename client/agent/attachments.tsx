// Attachments in the console: a file in a message (thumbnail or download link), and the reply box
// with files (attach button, paste, drop on the conversation, uploads with progress and retry).
// The same behaviour as the widget's (client/lib/attachment-view.ts, client/lib/uploads.ts).

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { attachmentUrl, isInlineImage } from '../../server/protocol/attachments.ts';
import type { Attachment } from '../../server/protocol/shapes.ts';
import { acceptDrops, fileSize, PAPERCLIP } from '../lib/attachment-view.ts';
import { errorText } from '../lib/error-text.ts';
import type { ConsoleKey } from '../lib/i18n.ts';
import type { AttachmentInfo } from '../lib/outbox.ts';
import { maxUploadBytes } from '../lib/settings.ts';
import { createUploads } from '../lib/uploads.ts';
import { useI18n } from '../ui/i18n-context.ts';
import { Composer, type ComposerProps } from './composer.tsx';

export function AttachmentView({ attachment: a }: { attachment: Attachment | AttachmentInfo }) {
  const { t, locale } = useI18n<ConsoleKey>();
  const url = 'url' in a ? a.url : attachmentUrl(a.id);
  if (isInlineImage(a.type)) {
    return (
      <a class="msg-image" href={url} target="_blank" rel="noopener noreferrer" title={t('common.attach.open', { name: a.name })}>
        <img class="msg-thumb" src={url} alt={a.name} loading="lazy" decoding="async" />
      </a>
    );
  }
  return (
    <a class="msg-file" href={url} download={a.name} rel="noopener noreferrer" title={t('common.attach.download', { name: a.name })}>
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
        <path d={PAPERCLIP} fill="currentColor" />
      </svg>
      <span class="msg-file-name" dir="auto">
        {a.name}
      </span>
      <span class="msg-file-size">{fileSize(a.size, locale)}</span>
    </a>
  );
}

/**
 * The reply box with files. Keyed by conversation where it is used: an upload still running when
 * the agent opens another conversation is sent where it was started.
 */
export function AttachingComposer(props: ComposerProps & { onUploaded(attachment: AttachmentInfo): void }) {
  const i18n = useI18n<ConsoleKey>();
  const { t } = i18n;
  const [, redraw] = useState(0);
  const onUploaded = useRef(props.onUploaded);
  onUploaded.current = props.onUploaded;
  const uploads = useMemo(
    () => createUploads({ as: 'agent', maxBytes: maxUploadBytes(), onChange: () => redraw((n) => n + 1), onUploaded: (a) => onUploaded.current(a) }),
    [],
  );
  const anchor = useRef<HTMLDivElement>(null);
  const enabled = useRef(props.enabled);
  enabled.current = props.enabled;
  useEffect(() => {
    const pane = anchor.current?.closest<HTMLElement>('.pane');
    if (!pane) return;
    pane.dataset.dropHint = t('common.attach.drop');
    acceptDrops(pane, (files) => enabled.current && uploads.add(files));
  }, []);
  const jobs = uploads.jobs();
  return (
    <div ref={anchor} class="reply">
      {jobs.length > 0 && (
        <ul class="upload-tray" aria-live="polite">
          {jobs.map((job) =>
            job.state === 'uploading' ? (
              <li key={job.key} class="upload upload-busy">
                <span class="sr-only">{t('common.attach.uploading', { name: job.name })}</span>
                <span class="upload-name" dir="auto">
                  {job.name}
                </span>
                <progress class="upload-progress" max={100} value={Math.round(job.progress * 100)} aria-hidden="true" />
              </li>
            ) : (
              <li key={job.key} class="upload upload-failed" role="alert">
                <span class="upload-error">{t('common.attach.failed', { name: job.name, reason: errorText(i18n, job.error ?? 'internal') })}</span>
                {job.error !== 'too_large' && job.error !== 'unsupported_type' && (
                  <button type="button" class="link-button" onClick={() => uploads.retry(job.key)}>
                    {t('common.message.retry')}
                  </button>
                )}
                <button type="button" class="link-button" onClick={() => uploads.dismiss(job.key)}>
                  {t('common.attach.remove')}
                </button>
              </li>
            ),
          )}
        </ul>
      )}
      <Composer {...props} onFiles={(files) => uploads.add(files)} />
    </div>
  );
}
