// Attachments on screen, without HTML parsing (dom.ts): a file in a message (a thumbnail that
// opens the full image, or a download link with name and size), one's uploads on their way
// (progress, or why one failed with a retry), and the ways to add files: a button, paste, drop.
// The widget uses it as it is; the console draws the same with Preact (client/agent/attachments.tsx).

import { ATTACHMENT_TYPES, attachmentUrl, isInlineImage } from '../../server/protocol/attachments.ts';
import type { Attachment } from '../../server/protocol/shapes.ts';
import { h, icon, setContent } from './dom.ts';
import { errorText } from './error-text.ts';
import type { CommonKey, I18n } from './i18n.ts';
import type { AttachmentInfo } from './outbox.ts';
import { filesOf, type UploadJob, type Uploads } from './uploads.ts';
import { fileSize } from './file-size.ts';

export { fileSize };

/** What the file picker offers: the server's allowlist (it decides from the bytes anyway). */
export const ACCEPT = [...ATTACHMENT_TYPES, '.txt'].join(',');

export const PAPERCLIP = 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z';

/** The file a message carries (or a pending one, whose url is its upload's). */
export function attachmentNode(a: Attachment | AttachmentInfo, i18n: I18n<CommonKey>): HTMLElement {
  const url = 'url' in a ? a.url : attachmentUrl(a.id);
  if (isInlineImage(a.type)) {
    return h(
      'a',
      { class: 'msg-image', href: url, target: '_blank', rel: 'noopener noreferrer', title: i18n.t('common.attach.open', { name: a.name }) },
      h('img', { class: 'msg-thumb', src: url, alt: a.name, loading: 'lazy', decoding: 'async' }),
    );
  }
  return h(
    'a',
    { class: 'msg-file', href: url, download: a.name, rel: 'noopener noreferrer', title: i18n.t('common.attach.download', { name: a.name }) },
    icon(PAPERCLIP, 16),
    h('span', { class: 'msg-file-name', dir: 'auto' }, a.name),
    h('span', { class: 'msg-file-size' }, fileSize(a.size, i18n.locale)),
  );
}

/** One's uploads on their way, above the composer. */
export function createUploadTray(i18n: I18n<CommonKey>, uploads: Uploads): { element: HTMLElement; render(): void } {
  const element = h('ul', { class: 'upload-tray', 'aria-live': 'polite', hidden: true });
  function item(job: UploadJob): HTMLElement {
    const name = h('span', { class: 'upload-name', dir: 'auto' }, job.name);
    if (job.state === 'uploading') {
      return h(
        'li',
        { class: 'upload upload-busy' },
        h('span', { class: 'sr-only' }, i18n.t('common.attach.uploading', { name: job.name })),
        name,
        h('progress', { class: 'upload-progress', max: 100, value: Math.round(job.progress * 100), 'aria-hidden': 'true' }),
      );
    }
    const retryable = job.error !== 'too_large' && job.error !== 'unsupported_type';
    return h(
      'li',
      { class: 'upload upload-failed', role: 'alert' },
      h('span', { class: 'upload-error' }, i18n.t('common.attach.failed', { name: job.name, reason: errorText(i18n, job.error ?? 'internal') })),
      retryable && h('button', { type: 'button', class: 'link-button', onclick: () => uploads.retry(job.key) }, i18n.t('common.message.retry')),
      h('button', { type: 'button', class: 'link-button', onclick: () => uploads.dismiss(job.key) }, i18n.t('common.attach.remove')),
    );
  }
  return {
    element,
    render() {
      const jobs = uploads.jobs();
      element.hidden = jobs.length === 0;
      setContent(element, ...jobs.map(item));
    },
  };
}

/** Files dropped anywhere on `zone`, with a hint while they are dragged over it. */
export function acceptDrops(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  let depth = 0;
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  zone.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    zone.classList.add('drop-target');
  });
  zone.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('drop-target');
  });
  zone.addEventListener('drop', (e) => {
    depth = 0;
    zone.classList.remove('drop-target');
    const files = filesOf(e.dataTransfer);
    if (files.length === 0) return;
    e.preventDefault();
    onFiles(files);
  });
}

/** Files pasted into `input` (a screenshot from the clipboard); text pastes stay text. */
export function acceptPastes(input: HTMLElement, onFiles: (files: File[]) => void): void {
  input.addEventListener('paste', (e) => {
    const files = filesOf(e.clipboardData);
    if (files.length === 0) return;
    e.preventDefault();
    onFiles(files);
  });
}
