// The sign-in form: POST /api/login, then on to the page that sent us here
// (only the console's own pages: no open redirect).

import type { Agent } from '../../server/protocol/shapes.ts';
import { api, ApiError } from '../lib/api.ts';

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

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!email.value.trim() || !password.value) return showError('Enter your email and password.');
  submit.disabled = true;
  submit.textContent = 'Signing in…';
  try {
    await api<{ agent: Agent }>('POST', '/api/login', { email: email.value.trim(), password: password.value });
    location.assign(destination());
  } catch (err) {
    const code = err instanceof ApiError ? err.code : 'network';
    showError(
      code === 'invalid_credentials'
        ? 'That email and password do not match.'
        : code === 'rate_limited'
          ? 'Too many attempts. Wait a few minutes, then try again.'
          : 'Could not sign in right now. Check your connection and try again.',
    );
    password.select();
    submit.disabled = false;
    submit.textContent = 'Sign in';
  }
});
