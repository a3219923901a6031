// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The page frame: skip link, header (product, instance, navigation, sign
// out), the <main> the views go into, and the notice area.

import { h, setText } from './dom';

export interface Shell {
  main: HTMLElement;
  setInstance(instance: string): void;
  /** Whether navigation and Sign out apply (not on the login view). */
  setSignedIn(signedIn: boolean, canSignOut: boolean): void;
  setCurrentNav(name: 'topics' | null): void;
}

export function createShell(root: HTMLElement, notice: HTMLElement, onSignOut: () => void): Shell {
  const main = h('main', { id: 'main', class: 'main', tabindex: -1 });
  // The routes use the fragment, so the skip link moves focus itself
  // instead of changing location.hash.
  const skip = h('a', { class: 'skip-link', href: '#main' }, 'Skip to content');
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    const heading = main.querySelector<HTMLElement>('h1');
    (heading ?? main).focus();
  });

  const instance = h('span', { id: 'instance-id', class: 'instance', title: 'Instance id', hidden: true });
  const topicsLink = h('a', { id: 'nav-topics', href: '#/topics' }, 'Topics');
  const nav = h('nav', { class: 'nav', 'aria-label': 'Main', hidden: true }, h('ul', undefined, h('li', undefined, topicsLink)));
  const signOut = h('button', { type: 'button', id: 'sign-out', class: 'button header-button', hidden: true }, 'Sign out');
  signOut.addEventListener('click', onSignOut);

  const header = h(
    'header',
    { class: 'site-header' },
    h('div', { class: 'brand' }, h('span', { class: 'product' }, 'kafka2cos'), instance),
    nav,
    signOut,
  );
  root.replaceChildren(skip, header, main, notice);

  return {
    main,
    setInstance(text: string) {
      setText(instance, text);
      instance.hidden = text === '';
    },
    setSignedIn(signedIn: boolean, canSignOut: boolean) {
      nav.hidden = !signedIn;
      signOut.hidden = !(signedIn && canSignOut);
    },
    setCurrentNav(name: 'topics' | null) {
      if (name === 'topics') topicsLink.setAttribute('aria-current', 'page');
      else topicsLink.removeAttribute('aria-current');
    },
  };
}
