// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Short confirmations after an action ("Archiving orders to archive"): a
// polite live region that empties itself after a while.

import { h } from './dom';

const NOTICE_MS = 8000;

export class Notice {
  readonly el: HTMLElement;
  private timer: number | null = null;

  constructor() {
    this.el = h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  }

  show(text: string): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.el.textContent = text;
    this.el.hidden = false;
    this.timer = window.setTimeout(() => {
      this.el.hidden = true;
      this.el.textContent = '';
      this.timer = null;
    }, NOTICE_MS);
  }
}
