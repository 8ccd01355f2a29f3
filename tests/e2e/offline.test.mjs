// Offline and installable: after the first visit the service worker serves the whole app, so
// it loads, explains a paste and analyses a dropped file with the network off (and the server
// gone); a new version is installed in the background and takes effect on the next load, with
// a notice in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, open, screenshot, dist } from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Waits until a service worker controls the page and its precache is complete. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60000 });
  return page.evaluate(async () => (await caches.keys()).filter((k) => /^bouncelens-[0-9a-f]{16}$/.test(k)));
}

async function dropFile(page, name, text) {
  await page.evaluate(([name, text]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'text/csv' }));
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, text]);
}

test('after the first visit the app works with the network off', async () => {
  const server = await serve();
  const context = await browser.newContext();
  const first = await open(context, server.url, '#/paste');
  const cachesNow = await controlled(first.page);
  assert.equal(cachesNow.length, 1, cachesNow.join(','));
  // Everything trunk built is in the cache (the list comes from the build).
  const cached = await first.page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname.slice(1)), cachesNow[0]);
  const built = fs.readdirSync(dist).filter((f) => !/\.(br|gz)$/.test(f) && !f.startsWith('.') && f !== 'sw.js');
  assert.deepEqual(cached.sort(), built.sort());
  await first.page.close();

  await server.close();
  await context.setOffline(true);
  const { page, errors } = await open(context, server.url, '#/paste');
  await page.getByTestId('paste-input').fill('421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints');
  await page.getByTestId('analyze-button').click();
  const card = page.getByTestId('result-card').first();
  await card.waitFor({ timeout: 30000 });
  assert.equal(await card.getByTestId('action').getAttribute('data-value'), 'retry_slower');
  // A dropped export: the File view's own worker starts from the cache too.
  await dropFile(page, 'offline.csv', 'email,reason\na@example.com,550 5.1.1 user unknown\nb@example.com,452 4.2.2 mailbox full\n');
  await page.getByTestId('summary').waitFor({ timeout: 60000 });
  assert.equal(await page.getByTestId('total-rows').innerText(), '2');
  // And the reference.
  await page.goto(`${server.url}/#/reference/5.7.26`);
  await page.getByTestId('reference-detail').waitFor({ timeout: 30000 });
  await screenshot(page, 'offline-reference');
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to (load|fetch)/.test(e)), []);
  await context.close();
});

test('a new version installs in the background, says so, and takes effect on the next load', async () => {
  const server = await serve();
  const context = await browser.newContext();
  const { page } = await open(context, server.url, '#/paste');
  const [v1] = await controlled(page);
  // Publish a "new version": the same files under another build version.
  const sw = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
  const next = 'feedfacefeedface';
  server.overrides.set('/sw.js', sw.replace(/"version":"[0-9a-f]{16}"/, `"version":"${next}"`));
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  const notice = page.getByTestId('update-notice');
  await notice.waitFor({ timeout: 60000 });
  assert.match(await notice.innerText(), /new version/i);
  await screenshot(page, 'update-notice');
  // The next load is served by the new version (the one before is kept for pages still open).
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  const state = await page.evaluate(async () => ({
    caches: (await caches.keys()).filter((k) => /^bouncelens-[0-9a-f]{16}$/.test(k)).sort(),
    installed: await (await (await caches.open('bouncelens-versions')).match('versions')).json(),
    waiting: (await navigator.serviceWorker.getRegistration()).waiting !== null,
  }));
  assert.deepEqual(state.caches, [v1, `bouncelens-${next}`].sort());
  assert.equal(state.installed.at(-1), next, 'the new version is the active one');
  assert.equal(state.waiting, false);
  assert.equal(await page.getByTestId('update-notice').count(), 0);
  await context.close();
  await server.close();
});
