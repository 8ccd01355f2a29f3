// The Reference view in the built app: search as you type, shareable entry URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, open, screenshot, root } from './harness.mjs';

let server, browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function results(page, query) {
  const input = page.getByTestId('lookup-input');
  await input.fill(query);
  const list = page.getByTestId('lookup-results');
  await list.waitFor();
  return list.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('data-id')));
}

test('searching a code lists it first; an entry has its own URL', async () => {
  const { page, errors } = await open(browser.context, server.url, '#/reference');
  const ids = await results(page, '5.7.26');
  assert.equal(ids[0], 'X.7.26');
  await page.getByTestId('lookup-results').locator('a').first().click();
  await page.waitForURL(/#\/reference\/X\.7\.26$/);
  const detail = page.getByTestId('reference-detail');
  await detail.waitFor();
  assert.equal(await detail.getByTestId('category').getAttribute('data-value'), 'authentication');
  assert.equal(await detail.getByTestId('action').getAttribute('data-value'), 'fix_authentication');
  await screenshot(page, 'reference-desktop');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a shared link opens the entry directly', async () => {
  const { page } = await open(browser.context, server.url, '#/reference/5.7.26');
  const detail = page.getByTestId('reference-detail');
  await detail.waitFor();
  assert.match(await detail.innerText(), /5\.7\.26/);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'reference-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone screen`);
  await page.close();
});

test('searching by provider and by words', async () => {
  const { page } = await open(browser.context, server.url, '#/reference');
  const gmail = await results(page, '421 gmail');
  assert.match(gmail[0], /^rule\/gmail\./);
  const words = await results(page, 'mailbox full');
  assert.ok(words.some((id) => id === 'X.2.2' || id === 'category/mailbox_full'), words.join(','));
  const dmarc = await results(page, 'dmarc');
  assert.ok(dmarc.includes('rule/generic.dmarc'), dmarc.join(','));
  const both = await results(page, '550 5.7.26');
  assert.ok(both.length > 2);
  await page.close();
});

test('the reference is usable with the keyboard alone', async () => {
  const { page } = await open(browser.context, server.url, '#/reference');
  await page.getByTestId('lookup-input').focus();
  await page.keyboard.type('550');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/reference\/550$/);
  await page.getByTestId('reference-detail').waitFor();
  await page.close();
});

test('the verdict card links its codes to the reference', async () => {
  const { page } = await open(browser.context, server.url, '#/paste');
  await page.getByTestId('paste-input').fill('550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org');
  await page.getByTestId('analyze-button').click();
  const card = page.getByTestId('result-card').first();
  await card.waitFor();
  assert.equal(await card.getByTestId('category').getAttribute('data-value'), 'blocklisted');
  await card.locator('summary').click();
  await card.locator('a.bd-code', { hasText: '5.7.1' }).click();
  await page.waitForURL(/#\/reference\/5\.7\.1$/);
  await page.getByTestId('reference-detail').waitFor();
  await page.close();
});

test('the thresholds used are listed in the reference, each number with its source', async () => {
  // The numbers of the knowledge base, read from its data file.
  const toml = fs.readFileSync(path.join(root, 'src', 'knowledge', 'data', 'policy.toml'), 'utf8');
  const above = [...toml.matchAll(/^above = ([0-9.]+)$/gm)].map((m) => Number(m[1]));
  assert.ok(above.length >= 3);
  const { page, errors } = await open(browser.context, server.url, '#/reference');
  await page.getByTestId('thresholds-link').click();
  await page.waitForURL(/#\/reference\/thresholds$/);
  const t = page.getByTestId('thresholds');
  await t.waitFor();
  const rows = t.getByTestId('rate-thresholds').locator('tbody tr');
  assert.equal(await rows.count(), above.length);
  const shown = await rows.locator('td.num').allInnerTexts();
  const pct = (x) => { const p = x * 100; return Number.isInteger(Math.round(p * 1e6) / 1e6) ? `${Math.round(p)} %` : `${p.toFixed(1)} %`; };
  assert.deepEqual(shown, above.map(pct));
  for (const r of await rows.all()) assert.match(await r.innerText(), /Source: \S/);
  for (const group of ['concentration', 'recurrence', 'list_decay']) {
    const g = t.locator(`[data-policy=${group}]`);
    assert.equal(await g.count(), 1, group);
    assert.match(await g.locator('.source').innerText(), /^Source: \S/);
    assert.ok((await g.locator('dd').count()) >= 3, group);
  }
  // A shared link opens it too.
  await page.goto(`${server.url}/#/reference/thresholds`);
  await page.getByTestId('thresholds').waitFor();
  await screenshot(page, 'reference-thresholds-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'reference-thresholds-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone screen`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the reference index lists the causes', async () => {
  const { page } = await open(browser.context, server.url, '#/reference');
  const index = page.getByTestId('reference-index');
  await index.waitFor();
  const links = await index.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.includes('#/reference/thresholds'));
  assert.ok(links.includes('#/reference/category/mailbox_full'), links.join(','));
  await screenshot(page, 'reference-index-desktop');
  await page.close();
});
