// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The console's state machine: find out whether the worker wants a token,
// show the login view or the routed view, and sign out when any call answers
// 401 (the token is wrong or was changed on the worker).

import { ApiClient, ApiError, type FetchLike } from './api';
import type { Info } from './api-types';
import { AlertRegion, STARTING_MESSAGE, UNREACHABLE_MESSAGE, loadingLine } from './alerts';
import { h } from './dom';
import { createShell, type Shell } from './header';
import { Notice } from './notice';
import { parseRoute, routeHash, type Route } from './route';
import { TokenStore } from './token-store';
import type { AppContext, View } from './view';
import { archiveView } from './view-archive';
import { loginView } from './view-login';
import { taskView } from './view-task';
import { topicsView } from './view-topics';

/** signed-in: with a token; open: the worker asks for none; signed-out: the login view. */
type Mode = 'checking' | 'signed-in' | 'open' | 'signed-out';

export const SESSION_LOST_MESSAGE = 'The token is wrong or has changed';

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => window.setTimeout(resolve, ms));

export class App {
  private readonly fetch: FetchLike = (input, init) => window.fetch(input, init);
  private readonly tokens = new TokenStore(sessionStorageOrNull());
  private readonly notice = new Notice();
  private readonly shell: Shell;
  private readonly api: ApiClient;
  private readonly context: AppContext;
  private mode: Mode = 'checking';
  private view: View | null = null;
  private info: Info | null = null;
  private infoPromise: Promise<Info | null> | null = null;
  private loginMessage: string | undefined;

  constructor(root: HTMLElement) {
    this.shell = createShell(root, this.notice.el, () => this.signOut());
    this.api = new ApiClient({
      fetch: this.fetch,
      getToken: () => this.tokens.get(),
      onUnauthorized: () => this.sessionLost(),
    });
    this.context = {
      api: this.api,
      info: () => this.info,
      infoReady: () => this.infoPromise ?? Promise.resolve(this.info),
      notify: (text) => this.notice.show(text),
      navigate: (route) => this.navigate(route),
    };
  }

  start(): void {
    window.addEventListener('hashchange', () => this.render(true));
    if (this.tokens.get()) {
      this.enter('signed-in');
      return;
    }
    void this.probeOpenWorker();
  }

  /**
   * Without a stored token, asks the topic list without one: a worker
   * started without a token answers, and then there is nothing to sign in to.
   */
  private async probeOpenWorker(): Promise<void> {
    const alert = new AlertRegion('startup-alert');
    this.setView({ el: h('section', { class: 'view' }, loadingLine('Connecting to the worker…'), alert.el), title: 'Connecting', destroy() {} });
    const probe = new ApiClient({ fetch: this.fetch, getToken: () => null });
    for (;;) {
      try {
        await probe.topics();
        this.enter('open');
        return;
      } catch (err) {
        if (this.mode !== 'checking') return;
        if (err instanceof ApiError && err.status === 401) {
          this.mode = 'signed-out';
          this.render();
          return;
        }
        if (err instanceof ApiError && err.retryable) {
          alert.show(err.status === 503 ? STARTING_MESSAGE : UNREACHABLE_MESSAGE);
          await sleep(err.retryAfterMs ?? 5000);
          continue;
        }
        alert.show(err instanceof Error ? err.message : String(err));
        return;
      }
    }
  }

  private enter(mode: 'signed-in' | 'open', render = true): void {
    this.mode = mode;
    this.loginMessage = undefined;
    this.infoPromise = this.loadInfo();
    if (render) this.render();
  }

  /** Reads /v1/info, retrying while the worker starts; null when it cannot be read. */
  private async loadInfo(): Promise<Info | null> {
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        const info = await this.api.info();
        this.info = info;
        this.shell.setInstance(info.instance);
        return info;
      } catch (err) {
        if (err instanceof ApiError && err.retryable && this.mode !== 'signed-out') {
          await sleep(err.retryAfterMs ?? 5000);
          continue;
        }
        return null;
      }
    }
    return null;
  }

  private sessionLost(): void {
    if (this.mode === 'signed-out') return;
    this.tokens.clear();
    this.mode = 'signed-out';
    this.loginMessage = SESSION_LOST_MESSAGE;
    this.closeDialogs();
    this.render();
  }

  private signOut(): void {
    this.tokens.clear();
    this.mode = 'signed-out';
    this.loginMessage = undefined;
    this.closeDialogs();
    if (location.hash !== '#/login') location.hash = '#/login';
    else this.render();
  }

  private closeDialogs(): void {
    document.querySelectorAll('dialog').forEach((d) => d.close());
  }

  private navigate(route: Route): void {
    const hash = routeHash(route);
    if (location.hash === hash) this.render(true);
    else location.hash = hash;
  }

  /** Shows the view of the current route; moveFocus after a navigation. */
  private render(moveFocus = false): void {
    if (this.mode === 'checking') return;
    let route = parseRoute(location.hash);

    if (this.mode === 'signed-out') {
      this.shell.setSignedIn(false, false);
      this.shell.setCurrentNav(null);
      this.setView(
        loginView({
          fetch: this.fetch,
          ...(this.loginMessage ? { message: this.loginMessage } : {}),
          onSignedIn: (token) => {
            this.tokens.set(token);
            this.enter('signed-in', false);
            this.navigate({ name: 'topics' });
          },
        }),
      );
      return;
    }

    this.shell.setSignedIn(true, this.mode === 'signed-in');
    if (route.name === 'login') {
      // Already in: the login route has nothing to show.
      route = { name: 'topics' };
      history.replaceState(null, '', routeHash(route));
    }
    this.shell.setCurrentNav(route.name === 'topics' ? 'topics' : null);
    this.setView(this.viewFor(route), moveFocus);
  }

  private viewFor(route: Route): View {
    switch (route.name) {
      case 'topics':
      case 'login':
        return topicsView(this.context);
      case 'task':
        return taskView(this.context, route.topic);
      case 'archive':
        return archiveView(this.context, route.topic);
      case 'not-found':
        return {
          el: h(
            'section',
            { class: 'view', id: 'not-found-view' },
            h('h1', undefined, 'No such page'),
            h('p', undefined, h('a', { href: routeHash({ name: 'topics' }) }, 'Go to the topic list')),
          ),
          title: 'No such page',
          destroy() {},
        };
    }
  }

  private setView(view: View, moveFocus = false): void {
    this.view?.destroy();
    this.view = view;
    this.shell.main.replaceChildren(view.el);
    document.title = `${view.title} · kafka2cos`;
    // After a navigation, move focus to the new view's heading so keyboard
    // and screen reader users start there (not on the first load).
    if (moveFocus) {
      const heading = view.el.querySelector<HTMLElement>('h1');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
  }
}
