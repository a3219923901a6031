// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The console end to end, as an operator uses it: sign in, switch a topic on
// with a bucket picked from the store's list, see a bucket without write
// access refused in the form, watch the task's lag fall to 0 and its first
// object appear, download that object from the archive browser, pause and
// resume. Run by tests/integration/test_console.py, which starts the worker,
// broker and S3 server, passes their addresses in K2C_E2E_* variables, and
// afterwards compares the downloaded file with boto3's copy byte for byte.
// Screenshots of every page go to K2C_E2E_OUT.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through tests/integration/test_console.py`);
  return value;
}

const url = env('K2C_E2E_URL'); // The worker whose store credentials may write.
const readOnlyUrl = env('K2C_E2E_RO_URL'); // A worker with read-only credentials.
const prefixedUrl = env('K2C_E2E_PREFIX_URL'); // The first worker behind a proxy, under a path prefix.
const token = env('K2C_E2E_TOKEN');
const topic = env('K2C_E2E_TOPIC');
const readOnlyTopic = env('K2C_E2E_RO_TOPIC');
const bucket = env('K2C_E2E_BUCKET');
const out = env('K2C_E2E_OUT');
const chromiumPath = process.env.K2C_E2E_CHROMIUM ?? '/usr/bin/chromium';

// What the test hands back to pytest.
const result: {
  downloads: { key: string; path: string }[];
  screenshots: string[];
  taskBeforeDisable?: unknown;
} = { downloads: [], screenshots: [] };
// Console errors, failed page scripts and CSP violations: there must be none.
const pageProblems: string[] = [];

let browser: Browser;
let context: BrowserContext;
let page: Page;

async function shoot(p: Page, name: string): Promise<void> {
  const path = join(out, `${name}.png`);
  await p.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
}

function watch(p: Page): void {
  p.on('console', (msg) => {
    // The browser logs every 4xx it fetched (a wrong token, a refused
    // preflight): expected answers, which the page shows. Anything else,
    // a CSP refusal included, is a problem.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      pageProblems.push(`console: ${msg.text()}`);
    }
  });
  p.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
}

async function signIn(p: Page, base: string): Promise<void> {
  await p.goto(base);
  await p.locator('#login-view').waitFor();
  await p.locator('#token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.locator('#topics-view').waitFor();
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  // As the machine's notes advise for a closed network: no background
  // connections, no sandbox (root in CI), a fresh profile per launch.
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  watch(page);
});

afterAll(async () => {
  writeFileSync(join(out, 'result.json'), JSON.stringify({ ...result, pageProblems }, null, 2));
  await browser?.close();
});

test('a wrong token is refused; the right one shows the topics', async () => {
  await page.goto(url);
  await page.locator('#login-view').waitFor();
  await page.locator('#token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.locator('#login-error').textContent()).toContain('The token is wrong');
  await shoot(page, '01-login-refused');
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const row = page.locator(`tr[data-topic="${topic}"]`);
  await row.waitFor();
  expect(await row.getAttribute('data-state')).toBe('none');
  await shoot(page, '02-topics');
});

test('switching a topic on with a bucket picked from the list', async () => {
  await page.getByRole('switch', { name: `Archive ${topic}`, exact: true }).check();
  const dialog = page.locator('#enable-dialog');
  await dialog.waitFor();
  // The store's buckets fill the list.
  await expect.poll(() => page.locator('#bucket').getAttribute('aria-busy')).not.toBe('true');
  await page.locator('#bucket').selectOption(bucket);
  await page.locator('#window').fill('1');
  await page.locator('#start').selectOption('earliest');
  await page.locator('#format').selectOption('jsonl');
  // The compressions follow the format.
  expect(await page.locator('#compression option').allTextContents()).toContain('zstd');
  await page.locator('#compression').selectOption('zstd');
  await shoot(page, '03-enable-form');
  await page.getByRole('button', { name: 'Enable archiving' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await expect
    .poll(() => page.locator(`tr[data-topic="${topic}"]`).getAttribute('data-state'), { timeout: 20_000 })
    .toBe('running');
  await shoot(page, '04-topics-enabled');
});

test('a bucket the credentials may not write to is refused in the form', async () => {
  const other = await context.newPage();
  watch(other);
  await signIn(other, readOnlyUrl);
  await other.getByRole('switch', { name: `Archive ${readOnlyTopic}`, exact: true }).check();
  await other.locator('#enable-dialog').waitFor();
  await expect.poll(() => other.locator('#bucket').getAttribute('aria-busy')).not.toBe('true');
  await other.locator('#bucket').selectOption(bucket);
  await other.getByRole('button', { name: 'Enable archiving' }).click();
  // The preflight's refusal, with the store's reason, inline; nothing saved.
  await expect.poll(() => other.locator('#enable-error').textContent(), { timeout: 30_000 }).toContain(bucket);
  expect(await other.locator('#enable-error').textContent()).toContain('write probe');
  await shoot(other, '05-enable-refused');
  await other.getByRole('button', { name: 'Cancel' }).click();
  await other.locator('#enable-dialog').waitFor({ state: 'hidden' });
  expect(await other.getByRole('switch', { name: `Archive ${readOnlyTopic}`, exact: true }).isChecked()).toBe(false);
  expect(await other.locator(`tr[data-topic="${readOnlyTopic}"]`).getAttribute('data-state')).toBe('none');
  await other.close();
});

test("the task page shows the group's lag fall to 0, an object appear and the chart", async () => {
  await page.goto(`${url}#/tasks/${encodeURIComponent(topic)}`);
  await page.locator('#task-view').waitFor();
  await expect
    .poll(() => page.locator('#total-lag').getAttribute('data-value'), { timeout: 180_000, interval: 1000 })
    .toBe('0');
  await expect
    .poll(() => page.locator('dd[data-field="objects"]').textContent(), { timeout: 180_000, interval: 1000 })
    .not.toMatch(/^\s*(0|—)?\s*$/);
  expect(await page.locator('dd[data-field="group"]').textContent()).toContain(topic);
  // The seed's "check that the consumer group consumes normally", said in words.
  await expect.poll(() => page.locator('#consumption').getAttribute('data-level'), { timeout: 30_000 }).toBe('ok');
  expect(await page.locator('#consumption').textContent()).toMatch(/^Consuming normally/);
  expect(await page.locator('#partitions-table tr[data-partition]').count()).toBeGreaterThan(0);
  // The chart needs two of the worker's samples (one every 30 s) since the task began.
  await expect
    .poll(() => page.locator('#history-chart svg').count(), { timeout: 120_000, interval: 2000 })
    .toBeGreaterThan(0);
  // Drawn across the whole box, not a fixed-width picture in its corner.
  const box = await page.locator('#history-chart').boundingBox();
  const drawn = await page.locator('#history-chart svg').boundingBox();
  expect(drawn!.width).toBeGreaterThan(box!.width * 0.9);
  await shoot(page, '06-task');
});

test('the archive browser lists the objects and downloads one', async () => {
  await page.locator('#browse-archive').click();
  await page.locator('#archive-view').waitFor();
  const rows = page.locator('#objects-table tr[data-key]');
  await rows.first().waitFor({ timeout: 30_000 });
  const key = await rows.first().getAttribute('data-key');
  expect(key).toBeTruthy();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rows.first().locator('button[data-action="download"]').click(),
  ]);
  const path = join(out, 'downloaded-object');
  await download.saveAs(path);
  expect(download.suggestedFilename()).toBe(key!.split('/').pop());
  result.downloads.push({ key: key!, path });
  await shoot(page, '07-archive');
});

test('pause and resume from the task page', async () => {
  await page.goto(`${url}#/tasks/${encodeURIComponent(topic)}`);
  await page.locator('#pause-button').click();
  await expect.poll(() => page.locator('dd[data-field="state"]').textContent(), { timeout: 20_000 }).toContain('paused');
  await shoot(page, '08-task-paused');
  await page.locator('#resume-button').click();
  await expect.poll(() => page.locator('dd[data-field="state"]').textContent(), { timeout: 20_000 }).toContain('running');
});

test('the switches work from the keyboard; Escape closes the form and gives focus back', async () => {
  await page.goto(url);
  const toggle = page.getByRole('switch', { name: `Archive ${readOnlyTopic}`, exact: true });
  await toggle.focus();
  await page.keyboard.press('Space');
  await page.locator('#enable-dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#enable-dialog').waitFor({ state: 'hidden' });
  expect(await toggle.isChecked()).toBe(false);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
    `Archive ${readOnlyTopic}`,
  );
});

test('the console works behind a reverse proxy under a path prefix', async () => {
  const proxied = await context.newPage();
  watch(proxied);
  // Opened without the trailing slash, as an operator may type it.
  await signIn(proxied, prefixedUrl.replace(/\/$/, ''));
  await proxied.getByRole('link', { name: topic, exact: true }).click();
  await proxied.locator('#task-view').waitFor();
  expect(proxied.url().startsWith(prefixedUrl)).toBe(true);
  await proxied.close();
});

test('switching a topic off asks first, then disables it', async () => {
  const response = await fetch(`${url}v1/tasks/${encodeURIComponent(topic)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  result.taskBeforeDisable = await response.json();
  await page.goto(url);
  await page.getByRole('switch', { name: `Archive ${topic}`, exact: true }).click();
  await page.locator('#confirm-dialog').waitFor();
  await shoot(page, '10-disable-confirm');
  await page.locator('#confirm-dialog button[data-action="confirm"]').click();
  await expect
    .poll(() => page.locator(`tr[data-topic="${topic}"]`).getAttribute('data-state'), { timeout: 20_000 })
    .toBe('none');
});

test('the topic list on a phone', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const small = await phone.newPage();
  watch(small);
  await signIn(small, url);
  await small.locator(`tr[data-topic="${topic}"]`).waitFor();
  await shoot(small, '09-topics-phone');
  await phone.close();
});

test('nothing failed or was blocked in the pages', () => {
  expect(pageProblems).toEqual([]);
});
