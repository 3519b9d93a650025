// One's own files on their way to POST /api/attachments: each shows its progress, or why it failed
// with a retry; once uploaded it is handed to `onUploaded` (which sends it as a message through the
// outbox, so the send itself is retried and de-duplicated like any message). Shared by the widget
// and the console; no DOM here beyond XMLHttpRequest (fetch reports no upload progress).

import { ATTACHMENTS_PATH } from '../../server/protocol/attachments.ts';
import type { AttachmentInfo } from './outbox.ts';

export interface UploadJob {
  key: number;
  name: string;
  size: number;
  state: 'uploading' | 'failed';
  /** 0…1 while uploading. */
  progress: number;
  /** The server's error code (`too_large`, `unsupported_type`, `rate_limited`, …) or `network`. */
  error: string | null;
}

export interface Uploads {
  add(files: Iterable<File>): void;
  retry(key: number): void;
  dismiss(key: number): void;
  jobs(): readonly UploadJob[];
}

/** Files from a paste or a drop (images pasted from the clipboard have no useful name: they get one). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = [...data.files];
  return files.map((f) => (f.name && f.name !== 'image.png' ? f : new File([f], `image-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${f.type.split('/')[1] || 'png'}`, { type: f.type })));
}

function post(file: File, as: 'visitor' | 'agent', onProgress: (fraction: number) => void): Promise<AttachmentInfo> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', as === 'visitor' ? `${ATTACHMENTS_PATH}?as=visitor` : ATTACHMENTS_PATH);
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { attachment?: AttachmentInfo; error?: { code?: string } } | null;
      if (xhr.status === 201 && body?.attachment) resolve(body.attachment);
      else reject(new Error(body?.error?.code ?? (xhr.status === 413 ? 'too_large' : 'internal')));
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.onabort = () => reject(new Error('network'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

export function createUploads(opts: { as: 'visitor' | 'agent'; maxBytes: number; onChange(): void; onUploaded(attachment: AttachmentInfo): void }): Uploads {
  let jobs: UploadJob[] = [];
  const files = new Map<number, File>();
  let nextKey = 1;

  const update = (key: number, patch: Partial<UploadJob>) => {
    jobs = jobs.map((j) => (j.key === key ? { ...j, ...patch } : j));
    opts.onChange();
  };
  const remove = (key: number) => {
    jobs = jobs.filter((j) => j.key !== key);
    files.delete(key);
    opts.onChange();
  };

  function start(key: number) {
    const file = files.get(key)!;
    // Refused here, without sending a byte: the server would refuse it too (413).
    if (file.size > opts.maxBytes) return update(key, { state: 'failed', error: 'too_large', progress: 0 });
    update(key, { state: 'uploading', error: null, progress: 0 });
    post(file, opts.as, (progress) => update(key, { progress })).then(
      (attachment) => {
        remove(key);
        opts.onUploaded(attachment);
      },
      (err: Error) => update(key, { state: 'failed', error: err.message }),
    );
  }

  return {
    add(list) {
      for (const file of list) {
        const key = nextKey++;
        files.set(key, file);
        jobs = [...jobs, { key, name: file.name, size: file.size, state: 'uploading', progress: 0, error: null }];
        start(key);
      }
      opts.onChange();
    },
    retry(key) {
      if (files.has(key)) start(key);
    },
    dismiss: remove,
    jobs: () => jobs,
  };
}
