// What a follow-up and a transcript email say: subject, plain text and simple HTML (every value
// escaped), in the visitor's language (its catalogue's email.* keys, English filling gaps).
// Only messages are rendered — never private notes, which are not messages.

import { createFormatter, type Values } from '../../i18n/format.ts';
import { directionOf } from '../../i18n/locales.ts';
import type { MessageRecord } from '../store/store.ts';

/** The email.* messages of one language, English filling gaps. */
export type EmailTexts = (locale: string) => Record<string, string>;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

interface Speaker {
  t(key: string, values?: Values): string;
  locale: string;
}

function speaker(texts: EmailTexts, locale: string): Speaker {
  const messages = texts(locale);
  const f = createFormatter(locale);
  return { locale, t: (key, values) => f.format(messages[key] ?? key, values) };
}

function author(s: Speaker, m: MessageRecord): string {
  return m.authorKind === 'visitor' ? s.t('email.you') : m.authorName;
}

function textBlock(s: Speaker, m: MessageRecord): string {
  const lines = [`${author(s, m)}:`, ...(m.body.trim() ? m.body.split('\n').map((l) => `  ${l}`) : [])];
  if (m.attachment) lines.push(`  ${s.t('email.attachment', { name: m.attachment.name })}`);
  return lines.join('\n');
}

function htmlBlock(s: Speaker, m: MessageRecord): string {
  const body = m.body.trim() ? `<div style="white-space:pre-wrap">${escapeHtml(m.body)}</div>` : '';
  const file = m.attachment ? `<div style="color:#555">${escapeHtml(s.t('email.attachment', { name: m.attachment.name }))}</div>` : '';
  return `<div style="margin:0 0 16px"><div style="font-weight:bold">${escapeHtml(author(s, m))}</div>${body}${file}</div>`;
}

function page(s: Speaker, intro: string, blocks: string, action: { href: string; label: string; note: string } | null): string {
  const link = action
    ? `<p><a href="${escapeHtml(action.href)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(action.label)}</a></p><p style="color:#555;font-size:13px">${escapeHtml(action.note)}</p>`
    : '';
  return `<!doctype html><html lang="${escapeHtml(s.locale)}" dir="${directionOf(s.locale)}"><body style="font-family:sans-serif;font-size:15px;line-height:1.5;color:#111;max-width:600px">`
    + `<p>${escapeHtml(intro)}</p>${blocks}${link}<p style="color:#555;font-size:13px">${escapeHtml(s.t('email.footer'))}</p></body></html>`;
}

/** The follow-up: the unread agent replies and the link back. */
export function renderFollowUp(texts: EmailTexts, locale: string, replies: readonly MessageRecord[], link: string, linkDays: number): RenderedEmail {
  const s = speaker(texts, locale);
  const subject = s.t('email.followup.subject', { count: replies.length });
  const intro = s.t('email.followup.intro', { count: replies.length });
  const label = s.t('email.followup.link');
  const note = s.t('email.followup.expires', { days: linkDays });
  const text = [intro, '', ...replies.map((m) => textBlock(s, m) + '\n'), `${label}: ${link}`, note, '', s.t('email.footer')].join('\n');
  return { subject, text, html: page(s, intro, replies.map((m) => htmlBlock(s, m)).join(''), { href: link, label, note }) };
}

/** The transcript of a closed conversation: every message (visitor's, agents', never notes). */
export function renderTranscript(texts: EmailTexts, locale: string, messages: readonly MessageRecord[]): RenderedEmail {
  const s = speaker(texts, locale);
  const shown = messages.filter((m) => m.authorKind !== 'system');
  const subject = s.t('email.transcript.subject');
  const intro = s.t('email.transcript.intro');
  const text = [intro, '', ...shown.map((m) => textBlock(s, m) + '\n'), s.t('email.footer')].join('\n');
  return { subject, text, html: page(s, intro, shown.map((m) => htmlBlock(s, m)).join(''), null) };
}
