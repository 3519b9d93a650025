// The widget's satisfaction question, shown once a conversation has closed: good / okay / bad and an
// optional comment, sent with `csat:rate`. After rating it thanks the visitor and lets them change
// their answer until the server's window closes (`changeableUntil`); after that it only thanks.
// DOM built from text nodes only (lib/dom.ts).

import type { Csat, CsatRating } from '../../server/protocol/agent-tools.ts';
import { CSAT_COMMENT_MAX } from '../../server/protocol/agent-tools.ts';
import { h, setContent } from '../lib/dom.ts';
import type { I18n, WidgetKey } from '../lib/i18n.ts';

export interface CsatCard {
  element: HTMLElement;
  /** Ask about this conversation (closed), knowing its rating if any; null hides the card. */
  show(conversationId: string | null, csat: Csat | null): void;
  /** A rating arrived (this tab's ack or another tab's `csat` event). */
  rated(csat: Csat): void;
  /** The last send failed: say so and let the visitor try again. */
  failed(text: string): void;
}

const RATINGS: ReadonlyArray<{ rating: CsatRating; icon: string; key: WidgetKey }> = [
  { rating: 'good', icon: '😊', key: 'widget.csat.good' },
  { rating: 'okay', icon: '😐', key: 'widget.csat.okay' },
  { rating: 'bad', icon: '😞', key: 'widget.csat.bad' },
];

export function createCsatCard(opts: { i18n: I18n<WidgetKey>; onRate(input: { conversationId: string; rating: CsatRating; comment?: string }): void }): CsatCard {
  const { t } = opts.i18n;
  let conversationId: string | null = null;
  let current: Csat | null = null;
  let chosen: CsatRating | null = null;

  const question = h('p', { class: 'csat-question', id: 'csat-question' }, t('widget.csat.question'));
  const buttons = RATINGS.map(({ rating, icon, key }) =>
    h(
      'button',
      { type: 'button', class: 'csat-choice', 'data-rating': rating, 'aria-pressed': 'false', onclick: () => choose(rating) },
      h('span', { class: 'csat-emoji', 'aria-hidden': 'true' }, icon),
      h('span', { class: 'csat-label' }, t(key)),
    ),
  );
  const choices = h('div', { class: 'csat-choices', role: 'group', 'aria-labelledby': 'csat-question' }, ...buttons);
  const comment = h('textarea', { class: 'csat-comment', rows: 2, maxlength: CSAT_COMMENT_MAX, 'aria-label': t('widget.csat.commentLabel'), placeholder: t('widget.csat.commentPlaceholder') });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-small csat-send', disabled: true }, t('widget.csat.send'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'csat-form' }, question, choices, comment, send, error);
  const thanks = h('p', { class: 'csat-thanks', role: 'status' });
  const change = h('button', { type: 'button', class: 'link-button csat-change', onclick: () => edit() }, t('widget.csat.change'));
  const done = h('div', { class: 'csat-done', hidden: true }, thanks, change);
  const element = h('section', { class: 'csat-card', hidden: true, 'aria-label': t('widget.csat.label') }, form, done);

  function choose(rating: CsatRating) {
    chosen = rating;
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.rating === rating));
    send.disabled = false;
  }

  function edit() {
    form.hidden = false;
    done.hidden = true;
    if (current) {
      choose(current.rating);
      comment.value = current.comment ?? '';
    }
    buttons[0].focus();
  }

  function showDone() {
    form.hidden = true;
    done.hidden = false;
    const label = RATINGS.find((r) => r.rating === current!.rating)!;
    setContent(thanks, t('widget.csat.thanks', { rating: t(label.key) }));
    change.hidden = Date.parse(current!.changeableUntil) <= Date.now();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!conversationId || !chosen) return;
    error.hidden = true;
    send.disabled = true;
    const text = comment.value.trim();
    opts.onRate({ conversationId, rating: chosen, ...(text ? { comment: text } : {}) });
  });

  return {
    element,
    show(id, csat) {
      if (id !== conversationId) {
        conversationId = id;
        current = null;
        chosen = null;
        comment.value = '';
        for (const b of buttons) b.setAttribute('aria-pressed', 'false');
        send.disabled = true;
        form.hidden = false;
        done.hidden = true;
        error.hidden = true;
      }
      element.hidden = id === null;
      if (csat && csat.conversationId === id) {
        current = csat;
        showDone();
      }
    },
    rated(csat) {
      if (csat.conversationId !== conversationId) return;
      current = csat;
      error.hidden = true;
      showDone();
    },
    failed(text) {
      send.disabled = chosen === null;
      error.hidden = false;
      setContent(error, text);
    },
  };
}
