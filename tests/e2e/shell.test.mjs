// Paint first: index.html is the app's frame and Paste view as plain markup, visible and
// usable before any wasm loads; the app then takes over without a visible change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot } from './harness.mjs';

// (Trunk's hash has no leading zeros: 8 to 16 hex digits, see scripts/static-server.mjs.)
const APP_WASM = /\/bouncelens-app-[0-9a-f]{8,16}_bg\.wasm$/;
let server, browser;

before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh context whose page wasm waits until `release()` (or never loads: `block`). */
async function heldBack({ block = false } = {}) {
  const context = await browser.newContext();
  let release;
  const gate = new Promise((r) => (release = r));
  await context.route(APP_WASM, async (route) => {
    if (block) return route.abort();
    await gate;
    await route.continue();
  });
  return { context, release };
}

/** The DOM of the app's root, as a comparable tree: tags, attributes, text. */
function signature() {
  const walk = (n) => {
    if (n.nodeType === Node.TEXT_NODE) {
      const t = n.textContent.replace(/\s+/g, ' ').trim();
      return t ? t : null;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) return null;
    const attrs = [...n.attributes].map((a) => `${a.name}=${a.value}`).sort();
    return [n.tagName.toLowerCase(), attrs.join(' '), [...n.childNodes].map(walk).filter((x) => x !== null)];
  };
  return walk(document.getElementById('app'));
}

/** Where the things the eye goes to are. */
function layout() {
  const sel = ['header.top', '.brand', 'nav.tabs', 'h1', '.lede', '#paste-input', '[data-testid=analyze-button]', '.examples', '.legend', 'footer'];
  return Object.fromEntries(sel.map((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return [s, [r.x, r.y, r.width, r.height].map(Math.round)];
  }));
}

test('the shell is painted and usable before the wasm loads; what was typed is explained', async () => {
  const { context, release } = await heldBack();
  const { page } = await open(context, server.url, '#/paste', { shell: true });
  await page.getByTestId('paste-input').waitFor();
  assert.equal(await page.locator('html').getAttribute('data-app'), null, 'the app must not have started yet');
  assert.equal(await page.locator('h1').innerText(), 'What does this bounce mean?');
  assert.ok(await page.getByTestId('analyze-button').isVisible());
  await screenshot(page, 'shell-desktop');
  // Typed before the app is there: the app keeps the text (and the caret) and explains it.
  await page.getByTestId('paste-input').fill('550 5.1.1 <a@b.com>: Recipient address rejected: User unknown');
  release();
  await page.waitForSelector('html[data-app=ready]');
  const card = page.getByTestId('result-card').first();
  await card.waitFor({ timeout: 30000 });
  assert.equal(await card.getByTestId('category').getAttribute('data-value'), 'invalid_recipient');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'paste-input');
  await page.keyboard.type('\n452 4.2.2 mailbox full');
  await page.getByTestId('result-card').nth(1).waitFor();
  await context.close();
});

test('the app takes over from the shell without a visible change', async () => {
  const { context } = await heldBack({ block: true });
  const shell = await open(context, server.url, '#/paste', { shell: true });
  await shell.page.getByTestId('paste-input').waitFor();
  const before = { dom: await shell.page.evaluate(signature), box: await shell.page.evaluate(layout) };
  await context.close();
  const fresh = await browser.newContext();
  const { page, errors } = await open(fresh, server.url, '#/paste');
  const afterwards = { dom: await page.evaluate(signature), box: await page.evaluate(layout) };
  assert.deepEqual(afterwards.box, before.box, 'the layout moved when the app took over');
  assert.deepEqual(afterwards.dom, before.dom, 'index.html\'s shell and the app\'s Paste view differ');
  // The same on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  const phone = await page.evaluate(layout);
  const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await other.route(APP_WASM, (r) => r.abort());
  const s2 = await open(other, server.url, '#/paste', { shell: true });
  await s2.page.getByTestId('paste-input').waitFor();
  assert.deepEqual(await s2.page.evaluate(layout), phone);
  await screenshot(s2.page, 'shell-phone');
  assert.deepEqual(errors, []);
  await other.close();
  await fresh.close();
});

test('for another view the shell shows the frame with that tab current', async () => {
  const { context } = await heldBack({ block: true });
  const { page } = await open(context, server.url, '#/reference/5.7.26', { shell: true });
  await page.locator('header.top').waitFor();
  assert.equal(await page.locator('main .view.paste').isVisible(), false);
  const current = await page.locator('.tab[href="#/reference"]').evaluate((a) => getComputedStyle(a).backgroundColor);
  const other = await page.locator('.tab[href="#/paste"]').evaluate((a) => getComputedStyle(a).backgroundColor);
  assert.notEqual(current, other);
  await context.close();
});
