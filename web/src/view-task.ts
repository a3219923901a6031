// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// One topic's archiving task: its settings, live status (refreshed every
// 5 s while the tab is visible), partitions with their lag, the last hour's
// rate and lag chart, and the pause / resume / disable actions.

import { ApiError } from './api';
import type { History, Task, TaskStatus } from './api-types';
import { AlertRegion, loadingLine, reportError } from './alerts';
import { historyChart } from './chart';
import { consumerHealth } from './consumer-health';
import { confirmDisable } from './dialog-confirm';
import { fill, h, setText, type Child } from './dom';
import { formatAgo, formatBytes, formatCount, formatUtc, formatWindow } from './format';
import { Poller } from './poller';
import { routeHash } from './route';
import type { AppContext, View } from './view';

const REFRESH_MS = 5000;

/** The summary's fields, in display order: data-field value and label. */
const FIELDS = [
  ['state', 'State'],
  ['bucket', 'Bucket'],
  ['window', 'Window'],
  ['format', 'Format / compression'],
  ['start', 'Started from'],
  ['group', 'Consumer group'],
  ['records', 'Records archived'],
  ['bytes', 'Bytes archived'],
  ['objects', 'Objects written'],
  ['lag', 'Total lag'],
  ['last-object', 'Last object'],
  ['last-error', 'Last error'],
] as const;
type Field = (typeof FIELDS)[number][0];

/** A table's header row from column names; numeric columns are right-aligned. */
function headRow(columns: Array<[string, boolean]>): HTMLTableSectionElement {
  return h('thead', undefined, h('tr', undefined, ...columns.map(([name, num]) => h('th', { scope: 'col', class: num ? 'num' : undefined }, name))));
}

const dash = '—';

export function taskView(ctx: AppContext, topic: string): View {
  let active = true;
  let task: Task | null = null;
  let status: TaskStatus | null = null;

  const alert = new AlertRegion('task-alert');
  const loading = loadingLine(`Loading the task of ${topic}…`);

  const pauseButton = h('button', { type: 'button', id: 'pause-button', class: 'button', hidden: true }, 'Pause');
  const resumeButton = h('button', { type: 'button', id: 'resume-button', class: 'button primary', hidden: true }, 'Resume');
  const disableButton = h('button', { type: 'button', id: 'disable-button', class: 'button danger' }, 'Disable');
  const archiveHref = routeHash({ name: 'archive', topic });
  const actions = h(
    'div',
    { class: 'actions', hidden: true },
    pauseButton,
    resumeButton,
    disableButton,
    h('a', { id: 'browse-archive', class: 'button link-button', href: archiveHref }, 'Browse archive'),
  );

  const values = new Map<Field, HTMLElement>();
  const summary = h(
    'dl',
    { id: 'task-summary', class: 'summary' },
    ...FIELDS.map(([field, label]) => {
      const dd = h('dd', { 'data-field': field }, dash);
      values.set(field, dd);
      return h('div', { class: 'summary-item' }, h('dt', undefined, label), dd);
    }),
  );
  const totalLag = h('span', { id: 'total-lag', 'data-value': '' }, dash);
  // The seed's "does the consumer group consume normally?", answered in one line.
  const consumption = h('p', { id: 'consumption', class: 'health', 'data-level': 'pending', role: 'status' }, 'Checking…');
  values.get('lag')!.replaceChildren(totalLag);

  const partitionsBody = h('tbody');
  const partitionsTable = h(
    'table',
    { id: 'partitions-table', class: 'table' },
    h('caption', { class: 'visually-hidden' }, `Partitions of ${topic}`),
    headRow([
      ['Partition', true],
      ['Holder', false],
      ['Committed offset', true],
      ['End offset', true],
      ['Lag', true],
    ]),
    partitionsBody,
  );
  const workersBody = h('tbody');
  const workersTable = h(
    'table',
    { id: 'workers-table', class: 'table' },
    h('caption', { class: 'visually-hidden' }, `Workers archiving ${topic}`),
    headRow([
      ['Worker', false],
      ['State', false],
      ['Partitions', false],
      ['Records', true],
      ['Bytes', true],
      ['Objects', true],
      ['Upload failures', true],
    ]),
    workersBody,
  );
  const chartBox = h('div', { id: 'history-chart', class: 'chart-box' }, loadingLine('Loading history…'));

  const details = h(
    'div',
    { class: 'task-details', hidden: true },
    h('h2', undefined, 'Summary'),
    consumption,
    summary,
    h('p', { class: 'hint' }, 'Records, bytes and objects are counted by the running workers since each started.'),
    h('h2', undefined, 'Last hour'),
    chartBox,
    h('h2', undefined, 'Partitions'),
    h('div', { class: 'table-wrap' }, partitionsTable),
    h('h2', undefined, 'Workers'),
    h('div', { class: 'table-wrap' }, workersTable),
  );
  const notFound = h(
    'div',
    { id: 'task-not-found', class: 'empty', hidden: true },
    h('p', undefined, `${topic} is not archived: it has no task.`),
    h('p', undefined, h('a', { href: routeHash({ name: 'topics' }) }, 'Back to the topic list'), ' to switch it on.'),
  );

  const el = h(
    'section',
    { class: 'view', id: 'task-view', 'aria-labelledby': 'task-heading' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: routeHash({ name: 'topics' }) }, 'Topics'), ' › ', topic),
    h('h1', { id: 'task-heading' }, `Archiving ${topic}`),
    alert.el,
    loading,
    notFound,
    actions,
    details,
  );

  const set = (field: Field, ...children: Child[]): void => {
    fill(values.get(field)!, ...children);
  };

  const renderTask = (t: Task): void => {
    set('bucket', h('a', { href: archiveHref, title: `Browse the archive of ${topic}` }, t.bucket));
    set('window', formatWindow(t.window));
    set('format', `${t.format} / ${t.compression}`);
    set('start', t.start);
    set('group', h('code', undefined, t.group));
  };

  const renderState = (): void => {
    const state = status?.state ?? task?.state;
    if (!state) return;
    const blocked = status?.blocked_partitions ?? [];
    const badge = h('span', { class: 'state-badge', 'data-state': state }, state);
    if (blocked.length > 0) {
      const reason = status?.blocked_reason ? `: ${status.blocked_reason}` : '';
      set(
        'state',
        badge,
        ' ',
        h('span', { class: 'state-badge', 'data-state': 'blocked' }, 'blocked'),
        h('span', { class: 'blocked-detail' }, ` partition${blocked.length > 1 ? 's' : ''} ${blocked.join(', ')}${reason}`),
      );
    } else {
      set('state', badge);
    }
    // Only one of Pause / Resume applies; keep focus on whichever is shown.
    const hadFocus = document.activeElement === pauseButton || document.activeElement === resumeButton;
    pauseButton.hidden = state !== 'running';
    resumeButton.hidden = state !== 'paused';
    if (hadFocus) (state === 'running' ? pauseButton : resumeButton).focus();
  };

  const renderStatus = (s: TaskStatus): void => {
    const now = Date.now();
    set('records', formatCount(s.records_archived));
    set('bytes', formatBytes(s.bytes_archived));
    set('objects', formatCount(s.objects_written));
    setText(totalLag, String(s.lag));
    totalLag.dataset['value'] = String(s.lag);
    if (task) {
      const health = consumerHealth(task, s, now);
      setText(consumption, health.text);
      consumption.dataset['level'] = health.level;
    }
    if (s.group) set('group', h('code', undefined, s.group));
    if (s.last_object_ms > 0 || s.last_object_key) {
      set(
        'last-object',
        h('code', { class: 'key' }, s.last_object_key || dash),
        s.last_object_ms > 0
          ? h('span', { class: 'age', title: `${formatUtc(s.last_object_ms)} UTC` }, ` · ${formatAgo(s.last_object_ms, now)}`)
          : null,
      );
    } else {
      set('last-object', 'none yet');
    }
    if (s.last_error) {
      set(
        'last-error',
        h('span', { class: 'error-text' }, s.last_error),
        s.last_error_ms > 0
          ? h('span', { class: 'age', title: `${formatUtc(s.last_error_ms)} UTC` }, ` · ${formatAgo(s.last_error_ms, now)}`)
          : null,
      );
    } else {
      set('last-error', 'none');
    }

    partitionsBody.replaceChildren(
      ...s.partitions.map((p) =>
        h(
          'tr',
          { 'data-partition': p.partition },
          h('td', { class: 'num' }, p.partition),
          h('td', undefined, p.worker || h('span', { class: 'muted' }, 'unassigned')),
          h('td', { class: 'num' }, p.committed_offset === null ? dash : String(p.committed_offset)),
          h('td', { class: 'num' }, String(p.end_offset)),
          h('td', { class: 'num', 'data-value': p.lag }, formatCount(p.lag)),
        ),
      ),
    );
    if (s.partitions.length === 0) {
      partitionsBody.replaceChildren(h('tr', undefined, h('td', { colspan: 5, class: 'empty' }, 'No partition assigned yet.')));
    }
    workersBody.replaceChildren(
      ...s.workers.map((w) =>
        h(
          'tr',
          { 'data-worker': w.worker },
          h('td', undefined, w.worker),
          h('td', undefined, h('span', { class: 'state-badge', 'data-state': w.state }, w.state)),
          h('td', undefined, w.partitions.length > 0 ? w.partitions.join(', ') : dash),
          h('td', { class: 'num' }, formatCount(w.records_archived)),
          h('td', { class: 'num' }, formatBytes(w.bytes_archived)),
          h('td', { class: 'num' }, formatCount(w.objects_written)),
          h('td', { class: 'num' }, formatCount(w.upload_failures)),
        ),
      ),
    );
    if (s.workers.length === 0) {
      workersBody.replaceChildren(h('tr', undefined, h('td', { colspan: 7, class: 'empty' }, 'No worker reports this task yet.')));
    }
  };

  // The chart is drawn at the box's width (its text stays 11-12 px) and
  // redrawn when the box is resized by more than a few pixels.
  let lastHistory: History | null = null;
  let drawnWidth = 0;
  const chartWidth = (): number => {
    const style = getComputedStyle(chartBox);
    return chartBox.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const renderHistory = (history: History): void => {
    lastHistory = history;
    drawnWidth = chartWidth();
    chartBox.replaceChildren(historyChart(history.samples, drawnWidth));
  };
  const resizeObserver = new ResizeObserver(() => {
    if (lastHistory && Math.abs(chartWidth() - drawnWidth) > 8) renderHistory(lastHistory);
  });
  resizeObserver.observe(chartBox);

  const showNotFound = (): void => {
    loading.hidden = true;
    actions.hidden = true;
    details.hidden = true;
    notFound.hidden = false;
    poller.stop();
  };

  const poller = new Poller(async (): Promise<number | void> => {
    try {
      if (!task) {
        task = await ctx.api.task(topic);
        if (!active) return;
        renderTask(task);
      }
      const [statusResult, historyResult] = await Promise.allSettled([ctx.api.status(topic), ctx.api.history(topic)]);
      if (!active) return;
      if (statusResult.status === 'rejected') throw statusResult.reason;
      status = statusResult.value;
      renderStatus(status);
      renderState();
      if (historyResult.status === 'fulfilled') renderHistory(historyResult.value);
      else if (!(historyResult.reason instanceof ApiError && historyResult.reason.status === 401)) {
        chartBox.replaceChildren(h('p', { class: 'empty' }, `The history is not available: ${(historyResult.reason as Error).message}`));
      }
      alert.clear();
      loading.hidden = true;
      actions.hidden = false;
      details.hidden = false;
      notFound.hidden = true;
    } catch (err) {
      if (!active) return;
      if (err instanceof ApiError && err.status === 404) {
        showNotFound();
        return;
      }
      const retry = reportError(err, alert);
      if (retry !== null) return retry;
      if (task === null) loading.hidden = true;
    }
  }, REFRESH_MS);

  const runAction = async (button: HTMLButtonElement, action: () => Promise<Task>, done: string): Promise<void> => {
    button.disabled = true;
    try {
      const updated = await action();
      if (!active) return;
      task = updated;
      renderTask(updated);
      // The status may lag the definition: show the new state at once.
      if (status) status = { ...status, state: updated.state };
      renderState();
      alert.clear();
      ctx.notify(done);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) showNotFound();
      else reportError(err, alert);
    } finally {
      button.disabled = false;
      poller.runNow();
    }
  };

  pauseButton.addEventListener('click', () => {
    void runAction(pauseButton, () => ctx.api.pauseTask(topic), `Paused archiving of ${topic}`);
  });
  resumeButton.addEventListener('click', () => {
    void runAction(resumeButton, () => ctx.api.resumeTask(topic), `Resumed archiving of ${topic}`);
  });
  disableButton.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmDisable(topic, disableButton))) return;
      disableButton.disabled = true;
      try {
        await ctx.api.deleteTask(topic);
        ctx.notify(`Stopped archiving ${topic}`);
        if (active) ctx.navigate({ name: 'topics' });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) ctx.navigate({ name: 'topics' });
        else reportError(err, alert);
      } finally {
        disableButton.disabled = false;
      }
    })();
  });

  poller.start();

  return {
    el,
    title: `Archiving ${topic}`,
    destroy() {
      active = false;
      poller.stop();
      resizeObserver.disconnect();
    },
  };
}
