// Whole bounce emails in the built app: pasted raw source, an opened .eml, a dropped .eml —
// one verdict card per failed recipient, with the report's header details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, open, screenshot, root } from './harness.mjs';

const samples = path.join(root, 'tests', 'fixtures', 'sisimai-dev');
const labels = JSON.parse(fs.readFileSync(path.join(samples, 'labels.json'), 'utf8'));
const expected = (file) => labels.find((l) => l.file === file).expected;
let server, browser;

before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function cards(page, n) {
  await page.getByTestId('result-card').nth(n - 1).waitFor({ timeout: 30000 });
  return page.getByTestId('result-card').evaluateAll((cs) => cs.map((c) => ({
    category: c.querySelector('[data-testid=category]').dataset.value,
    text: c.innerText,
  })));
}

test('a pasted bounce email gives one card per recipient, with its context', async () => {
  const file = 'lhost-gmail-01.eml';
  const raw = fs.readFileSync(path.join(samples, file), 'utf8');
  const { page, errors } = await open(browser.context, server.url);
  await page.getByTestId('paste-input').fill(raw);
  await page.getByTestId('analyze-button').click();
  const want = expected(file);
  const got = await cards(page, want.length);
  assert.equal(got.length, want.length);
  assert.ok(want[0].accept.includes(got[0].category), `${got[0].category} not in ${want[0].accept}`);
  assert.match(got[0].text, /recipient/i);
  assert.match(await page.getByTestId('email-context').first().innerText(), /Bounced message|Reported by|Remote server/);
  // The deciding words are marked in the raw diagnostic.
  assert.ok(await page.getByTestId('result-card').first().locator('mark').count() >= 1);
  await screenshot(page, 'email-paste-desktop');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an opened .eml with three failed recipients gives three cards', async () => {
  const file = 'rfc3464-35.eml';
  const { page } = await open(browser.context, server.url);
  await page.getByTestId('eml-input').setInputFiles(path.join(samples, file));
  const want = expected(file);
  const got = await cards(page, want.length);
  assert.equal(got.length, want.length);
  want.forEach((w, i) => assert.ok(w.accept.includes(got[i].category), `card ${i}: ${got[i].category} not in ${w.accept}`));
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'email-phone');
  await page.close();
});

test('an .eml dropped on the input is explained in place', async () => {
  const file = 'lhost-exim-01.eml';
  const bytes = [...fs.readFileSync(path.join(samples, file))];
  const { page } = await open(browser.context, server.url);
  await page.evaluate((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'bounce.eml', { type: 'message/rfc822' }));
    const box = document.querySelector('.input-box');
    box.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    box.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  const got = await cards(page, expected(file).length);
  assert.ok(expected(file)[0].accept.includes(got[0].category));
  assert.match(page.url(), /#\/paste$/);
  await page.close();
});
