// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The topic list, like the CKafka "store messages to COS" page: every topic
// with a switch that turns its archiving on (the enable form) or off (after
// a confirmation). Rows are updated in place on refresh so keyboard focus
// stays on the switch the user is on.

import type { Topic, TopicList } from './api-types';
import { AlertRegion, loadingLine, reportError } from './alerts';
import { confirmDisable } from './dialog-confirm';
import { openEnableDialog } from './dialog-enable';
import { h, setText } from './dom';
import { formatCount } from './format';
import { Poller } from './poller';
import { routeHash } from './route';
import { topicMatches } from './topic-filter';
import type { AppContext, View } from './view';

const REFRESH_MS = 10_000;

interface RowRefs {
  row: HTMLTableRowElement;
  nameCell: HTMLTableCellElement;
  partitionsCell: HTMLTableCellElement;
  state: HTMLElement;
  toggle: HTMLInputElement;
  topic: Topic;
}

export function topicsView(ctx: AppContext): View {
  let active = true;
  const alert = new AlertRegion('topics-alert');
  const loading = loadingLine('Loading topics…');
  const filterInput = h('input', {
    id: 'topic-filter',
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const emptyNote = h('p', { id: 'topics-empty', class: 'empty', hidden: true }, 'No topics in this cluster yet.');
  const noMatchNote = h('p', { id: 'topics-no-match', class: 'empty', hidden: true });
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: 'topics-table', class: 'table', hidden: true },
    h('caption', { class: 'visually-hidden' }, 'Topics and their archiving'),
    h(
      'thead',
      undefined,
      h(
        'tr',
        undefined,
        h('th', { scope: 'col' }, 'Topic'),
        h('th', { scope: 'col', class: 'num' }, 'Partitions'),
        h('th', { scope: 'col' }, 'Archiving'),
        h('th', { scope: 'col' }, 'Archive'),
      ),
    ),
    tbody,
  );
  const rows = new Map<string, RowRefs>();
  // Topics whose switch is in a dialog or a request: refreshes leave it alone.
  const pending = new Set<string>();

  const el = h(
    'section',
    { class: 'view', id: 'topics-view', 'aria-labelledby': 'topics-heading' },
    h('h1', { id: 'topics-heading' }, 'Topics'),
    h(
      'p',
      { class: 'lead' },
      'Switch a topic on to archive its records to a bucket, one object per partition and time window.',
    ),
    alert.el,
    h('div', { class: 'toolbar' }, h('div', { class: 'field' }, h('label', { for: 'topic-filter' }, 'Filter topics'), filterInput)),
    loading,
    emptyNote,
    noMatchNote,
    h('div', { class: 'table-wrap' }, table),
  );

  const applyFilter = (): void => {
    const filter = filterInput.value;
    let shown = 0;
    for (const refs of rows.values()) {
      const match = topicMatches(refs.topic.topic, filter);
      refs.row.hidden = !match;
      if (match) shown += 1;
    }
    const noMatch = rows.size > 0 && shown === 0;
    noMatchNote.hidden = !noMatch;
    if (noMatch) setText(noMatchNote, `No topic matches “${filter.trim()}”.`);
  };
  filterInput.addEventListener('input', applyFilter);

  const renderName = (refs: RowRefs): void => {
    const { topic } = refs.topic;
    const hasTask = refs.topic.task_state !== 'none';
    const current = refs.nameCell.firstElementChild;
    if (hasTask && !(current instanceof HTMLAnchorElement)) {
      refs.nameCell.replaceChildren(h('a', { href: routeHash({ name: 'task', topic }) }, topic));
    } else if (!hasTask && current instanceof HTMLAnchorElement) {
      refs.nameCell.replaceChildren(h('span', undefined, topic));
    }
  };

  const updateRow = (refs: RowRefs, topic: Topic): void => {
    refs.topic = topic;
    renderName(refs);
    setText(refs.partitionsCell, formatCount(topic.partitions));
    refs.partitionsCell.dataset['value'] = String(topic.partitions);
    setText(refs.state, topic.task_state);
    refs.state.dataset['state'] = topic.task_state;
    refs.row.dataset['state'] = topic.task_state;
    if (!pending.has(topic.topic)) refs.toggle.checked = topic.task_state !== 'none';
  };

  const createRow = (topic: Topic): RowRefs => {
    const toggle = h('input', {
      type: 'checkbox',
      role: 'switch',
      class: 'switch',
      'aria-label': `Archive ${topic.topic}`,
    });
    const nameCell = h('td', { class: 'topic-name' }, h('span', undefined, topic.topic));
    const partitionsCell = h('td', { class: 'num partitions-cell' });
    const state = h('span', { class: 'state-badge' });
    const row = h(
      'tr',
      { 'data-topic': topic.topic },
      nameCell,
      partitionsCell,
      h('td', { class: 'state' }, state),
      h('td', { class: 'switch-cell' }, toggle),
    );
    const refs: RowRefs = { row, nameCell, partitionsCell, state, toggle, topic };
    toggle.addEventListener('change', () => void onToggle(refs));
    updateRow(refs, topic);
    return refs;
  };

  const render = (list: TopicList): void => {
    const seen = new Set<string>();
    let previous: HTMLTableRowElement | null = null;
    for (const topic of list.topics) {
      seen.add(topic.topic);
      let refs = rows.get(topic.topic);
      if (refs) updateRow(refs, topic);
      else {
        refs = createRow(topic);
        rows.set(topic.topic, refs);
      }
      // Keep the API's order (by name) without moving rows that are in place.
      const expected: ChildNode | null = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== refs.row) tbody.insertBefore(refs.row, expected);
      previous = refs.row;
    }
    for (const [name, refs] of rows) {
      if (!seen.has(name) && !pending.has(name)) {
        refs.row.remove();
        rows.delete(name);
      }
    }
    loading.hidden = true;
    table.hidden = rows.size === 0;
    emptyNote.hidden = rows.size !== 0;
    applyFilter();
  };

  const poller = new Poller(async (): Promise<number | void> => {
    try {
      const list = await ctx.api.topics();
      if (!active) return;
      alert.clear();
      render(list);
    } catch (err) {
      if (!active) return;
      const retry = reportError(err, alert);
      if (retry !== null) return retry;
      loading.hidden = true;
    }
  }, REFRESH_MS);

  async function onToggle(refs: RowRefs): Promise<void> {
    const { toggle } = refs;
    const topic = refs.topic.topic;
    pending.add(topic);
    try {
      if (toggle.checked) {
        const task = await openEnableDialog(ctx, topic, toggle);
        if (!task) {
          toggle.checked = false;
          return;
        }
        if (active) updateRow(refs, { ...refs.topic, task_state: task.state });
      } else {
        const confirmed = await confirmDisable(topic, toggle);
        if (!confirmed) {
          toggle.checked = true;
          return;
        }
        toggle.disabled = true;
        try {
          await ctx.api.deleteTask(topic);
          ctx.notify(`Stopped archiving ${topic}`);
          if (active) updateRow(refs, { ...refs.topic, task_state: 'none' });
        } catch (err) {
          toggle.checked = true;
          reportError(err, alert);
        } finally {
          toggle.disabled = false;
          toggle.focus();
        }
      }
    } finally {
      pending.delete(topic);
      poller.runNow();
    }
  }

  poller.start();

  return {
    el,
    title: 'Topics',
    destroy() {
      active = false;
      poller.stop();
    },
  };
}
