// The visitor chat's screen: header with who is helping, connection and
// availability notes, the transcript, the typing line, the optional
// name/email card and the composer. State lives in chat.ts.

import { h, icon, ICONS, setContent } from '../lib/dom.ts';
import { createComposer, type Composer } from '../lib/composer.ts';
import { defaultNameTag } from '../../server/protocol/names.ts';
import { initials } from '../lib/format.ts';
import type { I18n, WidgetKey } from '../lib/i18n.ts';
import { createMessageList, type MessageList } from '../lib/message-list.ts';
import { createTypingIndicator } from '../lib/typing.ts';
import { acceptDrops, createUploadTray } from '../lib/attachment-view.ts';
import { createUploads, type Uploads } from '../lib/uploads.ts';
import type { AttachmentInfo } from '../lib/outbox.ts';
import { maxUploadBytes } from '../lib/settings.ts';

export type Connection = 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface ChatView {
  root: HTMLElement;
  list: MessageList;
  composer: Composer;
  typing: ReturnType<typeof createTypingIndicator>;
  uploads: Uploads;
  setHeader(title: string, subtitle: string, avatar: { name: string | null; online: boolean | null }): void;
  setConnection(state: Connection, detail?: string, fallbackHref?: string): void;
  setNote(text: string | null): void;
  /** The line under "Hi there!" before the first message, and when the team opens again (null: not said). */
  setWelcome(text: string, opens?: string | null): void;
  /** Away with email on: ask for the visitor's email, or say where the reply goes; null: neither. */
  showEmail(state: { ask: true } | { given: string } | null): void;
  setEmailError(text: string | null): void;
  showProfile(show: boolean, current?: { name: string; email: string | null }): void;
  setProfileError(text: string | null): void;
}

export interface ChatViewOptions {
  i18n: I18n<WidgetKey>;
  embedded: boolean;
  onClose(): void;
  onSend(body: string): void;
  /** A file is uploaded: send it. */
  onUploaded(attachment: AttachmentInfo): void;
  onInput(): void;
  onRetry(clientId: string): void;
  /** A message the server refused for good: its text goes back into the composer. */
  onEdit(clientId: string): void;
  onSaveProfile(profile: { name: string; email: string }): void;
  onDismissProfile(): void;
  /** An email address the browser accepts as one (the server checks it again). */
  onSaveEmail(email: string): void;
  onDismissEmail(): void;
}

export function createChatView(opts: ChatViewOptions): ChatView {
  const { i18n } = opts;
  const t = i18n.t;
  const avatar = h('div', { class: 'chat-avatar', 'aria-hidden': 'true' }, 'P');
  const dot = h('span', { class: 'presence-dot', hidden: true });
  const title = h('h1', { class: 'chat-title', id: 'chat-title' }, t('widget.heading'));
  const subtitle = h('p', { class: 'chat-subtitle', 'aria-live': 'polite' }, t('widget.status.available'));
  const close = opts.embedded
    ? h('button', { type: 'button', class: 'icon-button chat-close', 'aria-label': t('widget.close'), title: t('widget.closeTitle'), onclick: () => opts.onClose() }, icon(ICONS.close))
    : null;
  const header = h('header', { class: 'chat-header' }, h('div', { class: 'chat-avatar-wrap' }, avatar, dot), h('div', { class: 'chat-heading' }, title, subtitle), close);

  const banner = h('div', { class: 'chat-banner', role: 'status', hidden: true });
  const note = h('div', { class: 'chat-note', role: 'note', hidden: true });

  const welcomeText = h('p', null, t('widget.welcome.available'));
  const welcomeHours = h('p', { class: 'chat-welcome-hours', hidden: true });
  const welcome = h(
    'div',
    { class: 'chat-welcome' },
    h('p', { class: 'chat-welcome-title' }, t('widget.welcome.title')),
    welcomeText,
    welcomeHours,
  );
  const list = createMessageList({ i18n, mine: 'visitor', label: t('widget.conversation'), intro: welcome, onRetry: opts.onRetry, onEdit: opts.onEdit });
  const typing = createTypingIndicator(i18n);

  const nameInput = h('input', { id: 'profile-name', name: 'name', type: 'text', autocomplete: 'name', maxlength: 100, placeholder: t('widget.profile.namePlaceholder') });
  const emailInput = h('input', { id: 'profile-email', name: 'email', type: 'email', autocomplete: 'email', maxlength: 254, placeholder: t('widget.profile.emailPlaceholder') });
  const profileError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const profileOpen = h(
    'button',
    { type: 'button', class: 'link-button profile-title', id: 'profile-title', 'aria-expanded': 'false', 'aria-controls': 'profile-fields' },
    t('widget.profile.ask'),
  );
  const profile = h(
    'form',
    { class: 'profile-card', hidden: true, 'aria-labelledby': 'profile-title' },
    h(
      'div',
      { class: 'profile-head' },
      // One line until asked for: the conversation keeps its room.
      profileOpen,
      h('button', { type: 'button', class: 'icon-button profile-dismiss', 'aria-label': t('widget.profile.notNow'), title: t('widget.profile.notNow'), onclick: () => opts.onDismissProfile() }, icon(ICONS.close, 16)),
    ),
    h(
      'div',
      { class: 'profile-fields', id: 'profile-fields', hidden: true },
      h('label', { for: 'profile-name', class: 'sr-only' }, t('widget.profile.name')),
      nameInput,
      h('label', { for: 'profile-email', class: 'sr-only' }, t('widget.profile.email')),
      emailInput,
      h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('widget.profile.save')),
    ),
    profileError,
  );
  profileOpen.addEventListener('click', () => {
    const fields = profile.querySelector<HTMLElement>('.profile-fields')!;
    fields.hidden = !fields.hidden;
    profileOpen.setAttribute('aria-expanded', String(!fields.hidden));
    if (!fields.hidden) nameInput.focus();
  });
  profile.addEventListener('submit', (e) => {
    e.preventDefault();
    opts.onSaveProfile({ name: nameInput.value.trim(), email: emailInput.value.trim() });
  });

  // Away with email on: one small field for the reply's address (docs/protocol.md, "Business hours").
  const emailAskInput = h('input', { id: 'email-ask', name: 'email', type: 'email', required: true, autocomplete: 'email', maxlength: 254, placeholder: t('widget.profile.emailPlaceholder') });
  const emailAskError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const emailAskFields = h(
    'div',
    { class: 'email-ask-fields' },
    h('label', { for: 'email-ask', class: 'email-ask-label' }, t('widget.email.ask')),
    h(
      'div',
      { class: 'email-ask-row' },
      emailAskInput,
      h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('widget.profile.save')),
      h('button', { type: 'button', class: 'icon-button profile-dismiss', 'aria-label': t('widget.profile.notNow'), title: t('widget.profile.notNow'), onclick: () => opts.onDismissEmail() }, icon(ICONS.close, 16)),
    ),
    emailAskError,
  );
  const emailGiven = h('p', { class: 'email-given', role: 'status', hidden: true });
  // In the page only while shown (the name card has an email field of its own).
  const emailCard = h('form', { class: 'email-card', noValidate: true }, emailAskFields, emailGiven);
  emailCard.addEventListener('submit', (e) => {
    e.preventDefault();
    const email = emailAskInput.value.trim();
    emailAskInput.value = email;
    if (!email || !emailAskInput.checkValidity()) {
      setEmailError(t('widget.profile.badEmail'));
      emailAskInput.focus();
      return;
    }
    opts.onSaveEmail(email);
  });
  function setEmailError(text: string | null) {
    emailAskError.hidden = text === null;
    emailAskInput.setAttribute('aria-invalid', String(text !== null));
    setContent(emailAskError, text ?? '');
  }

  const uploads = createUploads({ as: 'visitor', maxBytes: maxUploadBytes(), onChange: () => tray.render(), onUploaded: opts.onUploaded });
  const tray = createUploadTray(i18n, uploads);
  const composer = createComposer({
    i18n,
    label: t('widget.composer.label'),
    placeholder: t('widget.composer.placeholder'),
    onSend: opts.onSend,
    onInput: opts.onInput,
    emoji: { openLabel: t('widget.emoji.open'), label: t('widget.emoji.label') },
    onFiles: (files) => uploads.add(files),
  });
  const footer = h('p', { class: 'chat-footer' }, t('widget.poweredBy'));
  const body = h('main', { class: 'chat-body' }, list.element);

  const root = h('div', { class: 'chat', 'aria-labelledby': 'chat-title' }, header, banner, note, body, typing.element, profile, tray.element, composer.element, footer);
  root.dataset.dropHint = t('common.attach.drop');
  acceptDrops(root, (files) => uploads.add(files));
  if (opts.embedded) {
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') opts.onClose();
    });
  }

  return {
    root,
    list,
    composer,
    typing,
    uploads,
    setHeader(text, sub, who) {
      setContent(title, text);
      setContent(subtitle, sub);
      setContent(avatar, who.name ? initials(who.name) : 'P');
      avatar.classList.toggle('chat-avatar-agent', who.name !== null);
      dot.hidden = who.online === null;
      dot.classList.toggle('online', who.online === true);
    },
    setConnection(state, detail, fallbackHref) {
      root.dataset.connection = state;
      banner.hidden = state === 'online';
      // Failed: nothing written here could be sent (not allowed, signed-in users only, no cookie): no box to write in.
      composer.setEnabled(state !== 'failed');
      if (state === 'connecting') setContent(banner, t('widget.connection.connecting'));
      if (state === 'reconnecting') setContent(banner, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' ', t('widget.connection.reconnecting'));
      if (state === 'failed') {
        setContent(
          banner,
          detail ?? t('widget.connection.unavailable'),
          fallbackHref && ' ',
          fallbackHref && h('a', { href: fallbackHref, target: '_blank', rel: 'noopener' }, t('widget.connection.openInTab')),
        );
      }
    },
    setWelcome(text, opens = null) {
      setContent(welcomeText, text);
      welcomeHours.hidden = opens === null;
      setContent(welcomeHours, opens ?? '');
    },
    showEmail(state) {
      if (state === null) emailCard.remove();
      else if (!emailCard.isConnected) root.insertBefore(emailCard, profile);
      emailAskFields.hidden = state === null || !('ask' in state);
      emailGiven.hidden = state === null || !('given' in state);
      setContent(emailGiven, state && 'given' in state ? t('widget.email.replyTo', { email: state.given }) : '');
      if (state === null || 'given' in state) setEmailError(null);
    },
    setEmailError,
    setNote(text) {
      note.hidden = text === null;
      setContent(note, text ?? '');
    },
    showProfile(show, current) {
      profile.hidden = !show;
      if (show && current) {
        nameInput.value = defaultNameTag(current.name) !== null ? '' : current.name;
        emailInput.value = current.email ?? '';
      }
    },
    setProfileError(text) {
      profileError.hidden = text === null;
      setContent(profileError, text ?? '');
    },
  };
}
