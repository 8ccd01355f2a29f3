// The history of exports kept on this computer (IndexedDB): an alert that needs two exports
// (the same addresses soft-bouncing in three campaigns, two in one file and one in the other,
// with a reload in between), the trend, the comparison, forgetting; and the downloads that
// take options (a platform's suppression file, the HTML report without addresses).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, open, screenshot, root } from './harness.mjs';

const FIX = path.join(root, 'tests/fixtures/history');
const ONE = path.join(FIX, 'export-1.csv');
const TWO = path.join(FIX, 'export-2.csv');
const SOFT = ['ann.lee@example.org', 'bo.diaz@example.net', 'cy.moss@example.com'];

let server, browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function analyse(page, file) {
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('summary').waitFor({ timeout: 60000 });
  await page.getByTestId('trend').waitFor({ timeout: 30000 });
}

async function keptCount(page) {
  return page.getByTestId('history-item').count();
}

test('two exports with a reload between them: an alert that needs both, the trend, the comparison', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, server.url, '#/file');
  await page.getByTestId('history-empty').waitFor();
  await page.getByTestId('history-keep').check();
  await analyse(page, ONE);
  await page.getByTestId('history-item').first().waitFor();
  assert.equal(await keptCount(page), 1);
  assert.match(await page.getByTestId('history-size').first().innerText(), /\d+ (bytes|KB) kept/);
  // One file alone: two campaigns, no alert across exports yet.
  assert.equal(await page.locator('[data-alert=history_recurring_soft]').count(), 0);

  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  await page.getByTestId('history-item').first().waitFor();
  assert.ok(await page.getByTestId('history-keep').isChecked(), 'the choice to keep is remembered');
  await analyse(page, TWO);
  const alert = page.locator('[data-alert=history_recurring_soft]');
  await alert.waitFor({ timeout: 30000 });
  assert.equal(await alert.getAttribute('data-across'), 'true');
  const text = await alert.innerText();
  assert.match(text, /3/);
  // The second file alone has one campaign: the alert is not the file's own.
  assert.equal(await page.locator('[data-alert=history_recurring_soft]:not([data-across])').count(), 0);
  await page.getByTestId('history-item').nth(1).waitFor();
  assert.equal(await keptCount(page), 2);

  // The trend: one point per campaign (or day: the second file names one campaign only, so
  // its day is the occasion), three over the two files, in date order.
  const trend = page.getByTestId('trend');
  assert.equal(await trend.getAttribute('data-points'), '3');
  assert.equal(await trend.locator('.bar-list li').count(), 3);
  assert.match(await trend.innerText(), /Spring sale[\s\S]*Spring news[\s\S]*2026-03-15/);
  await trend.getByTestId('trend-dimension').selectOption('category');
  await trend.getByTestId('trend-item').selectOption('authentication');
  assert.match(await trend.locator('.bar-list li').nth(2).innerText(), /70%/);
  await trend.getByTestId('trend-by').selectOption('export');
  assert.equal(await trend.locator('.bar-list li').count(), 2);

  // This export against the earlier one: authentication failures went up.
  const cmp = page.getByTestId('compare');
  assert.ok(Number(await cmp.getAttribute('data-changes')) > 0);
  assert.equal(await cmp.locator('[data-change="category/authentication"]').count(), 1);
  assert.match(await cmp.innerText(), /earlier export/);
  await screenshot(page, 'history-file');
  assert.deepEqual(errors, []);
  await context.close();
});

test('forget removes a kept export, and forget all the rest; the alert across exports goes with them', async () => {
  const context = await browser.newContext();
  const { page } = await open(context, server.url, '#/file');
  await page.getByTestId('history-keep').check();
  await analyse(page, ONE);
  await page.getByTestId('history-item').first().waitFor();
  await analyse(page, TWO);
  await page.locator('[data-alert=history_recurring_soft]').waitFor({ timeout: 30000 });
  await page.getByTestId('history-item').nth(1).waitFor();
  // Forget the first: the alert needs it, so it goes.
  const first = page.locator('[data-testid=history-item]', { hasText: 'export-1.csv' });
  await first.getByTestId('history-forget').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-item]').length === 1);
  assert.equal(await page.locator('[data-testid=history-item]', { hasText: 'export-1.csv' }).count(), 0);
  await page.locator('[data-alert=history_recurring_soft]').waitFor({ state: 'detached', timeout: 20000 });
  // Forgotten for good: not back after a reload.
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  await page.getByTestId('history-item').first().waitFor();
  assert.equal(await keptCount(page), 1);
  await page.getByTestId('history-forget-all').click();
  await page.getByTestId('history-empty').waitFor();
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  await page.getByTestId('history-empty').waitFor();
  await context.close();
});

test('unticked, nothing is kept', async () => {
  const context = await browser.newContext();
  const { page } = await open(context, server.url, '#/file');
  await analyse(page, ONE);
  await page.getByTestId('compare').waitFor();
  assert.equal(await keptCount(page), 0);
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  await page.getByTestId('history-empty').waitFor();
  await context.close();
});

test('downloads: the suppression file of the export\'s platform, the HTML report without addresses unless asked', async () => {
  const context = await browser.newContext();
  const { page } = await open(context, server.url, '#/file');
  await analyse(page, ONE);
  // The export is Brevo's: its import format is the default.
  const button = page.getByTestId('download-suppression-brevo');
  await button.waitFor();
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const csv = fs.readFileSync(await dl.path(), 'utf8');
  assert.match(csv, /gone1-0@example\.com/);
  assert.ok(!/ann\.lee@example\.org/.test(csv), 'a soft bounce is not suppressed');
  // Another platform's format.
  await page.getByTestId('suppression-platform').selectOption('mailchimp');
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-suppression-mailchimp').click()]);
  assert.notEqual(dl2.suggestedFilename(), '');
  assert.match(fs.readFileSync(await dl2.path(), 'utf8'), /gone1-0@example\.com/);

  assert.equal(await page.getByTestId('html-report-addresses').isChecked(), false, 'unticked by default');
  const [rep] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-html-report').click()]);
  assert.equal(rep.suggestedFilename(), 'bounce-report.html');
  const html = fs.readFileSync(await rep.path(), 'utf8');
  assert.match(html, /<html/);
  assert.match(html, /Spring sale|Spring news/);
  assert.ok(!/[A-Za-z0-9._-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}/.test(html), 'no address in the report');
  await page.getByTestId('html-report-addresses').check();
  const [rep2] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-html-report').click()]);
  const html2 = fs.readFileSync(await rep2.path(), 'utf8');
  assert.ok(SOFT.some((a) => html2.includes(a)) || /gone1-\d+@example\.com/.test(html2), 'with the box ticked, addresses are in');
  await context.close();
});
