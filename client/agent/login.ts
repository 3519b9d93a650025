// The sign-in form: POST /api/login, then on to the page that sent us here
// (only the console's own pages: no open redirect). Speaks the page's language
// (the browser's: the agent's own setting is not known before sign-in).

import type { Agent } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';
import { errorText } from '../lib/error-text.ts';
import { type I18n, loadPageI18n, type LoginKey } from '../lib/i18n.ts';

const DESTINATIONS = new Set(['/agent', '/admin']);

function destination(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return DESTINATIONS.has(next) ? next : '/agent';
}

const form = document.getElementById('login-form') as HTMLFormElement;
const email = document.getElementById('email') as HTMLInputElement;
const password = document.getElementById('password') as HTMLInputElement;
const error = document.getElementById('login-error') as HTMLParagraphElement;
const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;

function showError(text: string | null) {
  error.hidden = text === null;
  error.textContent = text ?? '';
}

/** The shell's words, again: the same as the server rendered, unless navigator.languages chose another language. */
function label(i18n: I18n<LoginKey>) {
  const { t } = i18n;
  document.title = t('login.pageTitle');
  document.querySelector('h1')!.textContent = t('login.heading');
  document.querySelector('label[for="email"]')!.textContent = t('login.email');
  document.querySelector('label[for="password"]')!.textContent = t('login.password');
  submit.textContent = t('login.submit');
}

/** What went wrong, for the person signing in (never the server's English message). */
function failure(i18n: I18n<LoginKey>, err: unknown): string {
  if (!(err instanceof ApiError)) return i18n.t('login.failed');
  if (err.code === 'invalid_credentials') return i18n.t('login.wrongPassword');
  if (err.code === 'rate_limited') return i18n.t('login.tooManyAttempts');
  return err.status >= 500 ? errorText(i18n, err.code) : i18n.t('login.failed');
}

function start(i18n: I18n<LoginKey>) {
  label(i18n);
  form.addEventListener('submit', async () => {
    if (!email.value.trim() || !password.value) return showError(i18n.t('login.missing'));
    submit.disabled = true;
    submit.textContent = i18n.t('login.submitting');
    try {
      await api<{ agent: Agent }>('POST', '/api/login', { email: email.value.trim(), password: password.value });
      location.assign(destination());
    } catch (err) {
      showError(failure(i18n, err));
      password.select();
      submit.disabled = false;
      submit.textContent = i18n.t('login.submit');
    }
  });
}

// Never a plain form POST, also while the language is being settled (start() then handles the submit).
form.addEventListener('submit', (event) => event.preventDefault());
void loadPageI18n<LoginKey>(['common', 'login']).then(start);
