// "Email me the transcript", under a closed conversation when the server sends email
// (availability.email): one click for a visitor whose email is known, else a field for it first.
// Sent with `transcript:request` (docs/protocol.md, "Email"). DOM from text nodes only (lib/dom.ts).

import { h, setContent } from '../lib/dom.ts';
import type { I18n, WidgetKey } from '../lib/i18n.ts';

export interface TranscriptOffer {
  element: HTMLElement;
  /** Offer it for this closed conversation (null hides it); `email`: the visitor's, if known. */
  show(conversationId: string | null, emailOn: boolean, email: string | null): void;
  sent(to: string): void;
  failed(text: string): void;
}

export function createTranscriptOffer(opts: { i18n: I18n<WidgetKey>; onRequest(input: { conversationId: string; email?: string }): void }): TranscriptOffer {
  const { t } = opts.i18n;
  let conversationId: string | null = null;
  let known: string | null = null;
  let done = false;

  const offer = h('button', { type: 'button', class: 'link-button transcript-offer', onclick: () => ask() }, t('widget.transcript.offer'));
  const input = h('input', { id: 'transcript-email', name: 'email', type: 'email', autocomplete: 'email', maxlength: 254, required: true, placeholder: t('widget.transcript.email') });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('widget.transcript.send'));
  const form = h('form', { class: 'transcript-form', hidden: true }, h('label', { for: 'transcript-email', class: 'sr-only' }, t('widget.transcript.email')), input, send);
  const status = h('p', { class: 'transcript-status', role: 'status', hidden: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const element = h('section', { class: 'transcript-card', hidden: true, 'aria-label': t('widget.transcript.offer') }, offer, form, status, error);

  function request(email?: string) {
    if (!conversationId) return;
    error.hidden = true;
    offer.disabled = true;
    send.disabled = true;
    opts.onRequest({ conversationId, ...(email ? { email } : {}) });
  }

  function ask() {
    if (known) return request();
    offer.hidden = true;
    form.hidden = false;
    input.focus();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const email = input.value.trim();
    if (email) request(email);
  });

  return {
    element,
    show(id, emailOn, email) {
      known = email;
      if (id !== conversationId) {
        conversationId = id;
        done = false;
        offer.hidden = false;
        offer.disabled = false;
        send.disabled = false;
        form.hidden = true;
        status.hidden = true;
        error.hidden = true;
      }
      element.hidden = id === null || !emailOn;
      if (done) offer.hidden = true;
    },
    sent(to) {
      done = true;
      offer.hidden = true;
      form.hidden = true;
      error.hidden = true;
      status.hidden = false;
      setContent(status, t('widget.transcript.sent', { email: to }));
    },
    failed(text) {
      offer.disabled = false;
      send.disabled = false;
      error.hidden = false;
      setContent(error, text);
    },
  };
}
