// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Signing in with the API token of the worker's configuration. The token is
// checked with GET v1/topics before it is kept, so a typo is reported here
// rather than on the next page.

import { ApiClient, ApiError, type FetchLike } from './api';
import { AlertRegion, STARTING_MESSAGE, UNREACHABLE_MESSAGE } from './alerts';
import { h } from './dom';
import type { View } from './view';

export interface LoginOptions {
  fetch: FetchLike;
  /** A message to show at once (the token stopped working, say). */
  message?: string;
  /** Called with a token the worker accepted. */
  onSignedIn: (token: string) => void;
}

export function loginView(options: LoginOptions): View {
  let active = true;
  let retryTimer: number | null = null;
  const alert = new AlertRegion('login-error');
  const tokenInput = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'token-hint',
  });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const progress = h('p', { class: 'loading', role: 'status', hidden: true }, 'Checking the token…');
  const form = h(
    'form',
    { id: 'login-form', class: 'form login-form', novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'token' }, 'API token'),
      tokenInput,
      h('p', { id: 'token-hint', class: 'hint' }, 'The token set in the kafka2cos worker’s configuration. It is kept in this tab only.'),
    ),
    alert.el,
    progress,
    h('div', { class: 'form-buttons' }, submit),
  );
  const el = h(
    'section',
    { class: 'view narrow', id: 'login-view', 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, 'Sign in'),
    form,
  );
  if (options.message) alert.show(options.message);

  const attempt = async (token: string): Promise<void> => {
    // A client of its own: a 401 here is a wrong token, not a lost session.
    const probe = new ApiClient({ fetch: options.fetch, getToken: () => token });
    submit.disabled = true;
    progress.hidden = false;
    try {
      await probe.topics();
      if (!active) return;
      alert.clear();
      options.onSignedIn(token);
    } catch (err) {
      if (!active) return;
      if (err instanceof ApiError && err.status === 401) {
        alert.show(`The token is wrong: ${err.message}`);
        tokenInput.focus();
        tokenInput.select();
      } else if (err instanceof ApiError && err.retryable) {
        alert.show(err.status === 503 ? STARTING_MESSAGE : UNREACHABLE_MESSAGE);
        retryTimer = window.setTimeout(() => {
          retryTimer = null;
          if (active) void attempt(token);
        }, err.retryAfterMs ?? 5000);
      } else {
        alert.show(err instanceof Error ? err.message : String(err));
      }
    } finally {
      if (active) {
        submit.disabled = retryTimer !== null;
        progress.hidden = true;
      }
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (token === '') {
      alert.show('Enter the API token.');
      tokenInput.focus();
      return;
    }
    void attempt(token);
  });

  // Focus the field once the view is in the document.
  queueMicrotask(() => tokenInput.focus());

  return {
    el,
    title: 'Sign in',
    destroy() {
      active = false;
      if (retryTimer !== null) window.clearTimeout(retryTimer);
    },
  };
}
