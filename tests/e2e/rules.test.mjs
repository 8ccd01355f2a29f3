// The user's own rules: made from a verdict card, in force at once and after a reload, shown as
// evidence, listed on the Rules page, exported and imported as a rules file (a bad file names
// its line and the problem).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
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

const REPLY = '550 5.7.1 Message rejected by the acme gateway: recipient has left the company';

async function firstCard(page) {
  const c = page.getByTestId('result-card').first();
  await c.waitFor({ timeout: 30000 });
  return c;
}

test('a rule made from a card changes that verdict, shows as evidence and survives a reload', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, server.url);
  await page.getByTestId('paste-input').fill(REPLY);
  await page.getByTestId('analyze-button').click();
  let card = await firstCard(page);
  const before = await card.getByTestId('category').getAttribute('data-value');
  assert.notEqual(before, 'mailbox_disabled', 'the built-in reading is something else');

  await card.getByTestId('rule-new').click();
  const form = card.getByTestId('rule-form');
  await form.waitFor();
  // The wording starts as the reply without its codes; keep the words that matter.
  const wording = await form.getByTestId('rule-wording').inputValue();
  assert.ok(wording.startsWith('Message rejected'), wording);
  await form.getByTestId('rule-wording').fill('recipient has left the company');
  await form.getByTestId('rule-category').selectOption('mailbox_disabled');
  await form.getByTestId('rule-title').fill('Acme: left the company');
  await screenshot(page, 'rules-form');
  await form.getByTestId('rule-save').click();

  // The card is read again with the rule.
  await page.waitForFunction(() => document.querySelector('[data-testid=result-card] [data-testid=category]')?.dataset.value === 'mailbox_disabled', null, { timeout: 20000 });
  card = await firstCard(page);
  assert.equal(await card.getByTestId('action').getAttribute('data-value'), 'suppress');
  const ev = await card.getByTestId('evidence-user-rule').innerText();
  assert.match(ev, /your rule: Acme: left the company/);

  // After a reload the rule is still in force.
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  await page.getByTestId('paste-input').fill(REPLY);
  await page.getByTestId('analyze-button').click();
  card = await firstCard(page);
  assert.equal(await card.getByTestId('category').getAttribute('data-value'), 'mailbox_disabled');

  // A reply the rule does not match keeps the built-in reading.
  await page.getByTestId('paste-input').fill('550 5.1.1 <a@b.com>: User unknown');
  await page.getByTestId('analyze-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=result-card] [data-testid=category]')?.dataset.value === 'invalid_recipient', null, { timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Rules page lists, edits, deletes, exports and imports rules', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, server.url);
  await page.getByTestId('paste-input').fill(REPLY);
  await page.getByTestId('analyze-button').click();
  const card = await firstCard(page);
  await card.getByTestId('rule-new').click();
  await card.getByTestId('rule-wording').fill('acme gateway');
  await card.getByTestId('rule-category').selectOption('policy');
  await card.getByTestId('rule-action').selectOption('investigate');
  await card.getByTestId('rule-save').click();
  await card.getByTestId('rule-form').waitFor({ state: 'detached' });

  // Reachable from the navigation.
  await page.locator('nav.tabs a[href="#/rules"]').click();
  const rulesPage = page.getByTestId('rules-page');
  await rulesPage.waitFor();
  const items = page.getByTestId('rule-item');
  assert.equal(await items.count(), 1);
  assert.equal(await items.first().getAttribute('data-category'), 'policy');
  assert.match(await items.first().innerText(), /replies containing “acme gateway”/);

  // Edit: another cause.
  await items.first().getByTestId('rule-edit').click();
  await items.first().getByTestId('rule-category').selectOption('reputation');
  await items.first().getByTestId('rule-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=rule-item]')?.dataset.category === 'reputation');

  // Export: a rules file in the built-in format.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rules-export').click()]);
  assert.equal(dl.suggestedFilename(), 'bouncelens-rules.toml');
  const toml = fs.readFileSync(await dl.path(), 'utf8');
  assert.match(toml, /\[\[rule\]\]/);
  assert.match(toml, /category = "reputation"/);
  assert.match(toml, /pattern = /);
  await screenshot(page, 'rules-page');

  // Delete it, then import the exported file: it is back.
  await items.first().getByTestId('rule-delete').click();
  await page.getByTestId('rules-empty').waitFor();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bl-rules-'));
  const good = path.join(dir, 'mine.toml');
  fs.writeFileSync(good, toml);
  await page.getByTestId('rules-import').setInputFiles(good);
  await page.getByTestId('rule-item').first().waitFor();
  assert.equal(await page.getByTestId('rule-item').first().getAttribute('data-category'), 'reputation');

  // A bad file: the error names the line and the problem, and the rules stay as they were.
  const bad = path.join(dir, 'bad.toml');
  fs.writeFileSync(bad, '[[rule]]\nid = "user.bad"\npattern = "unclosed ("\ncategory = "policy"\ntitle = "Bad"\nexplanation = "x"\n');
  await page.getByTestId('rules-import').setInputFiles(bad);
  const err = await page.getByTestId('rules-error').innerText();
  assert.match(err, /bad\.toml, line 2/);
  assert.match(err, /pattern does not compile/);
  const worse = path.join(dir, 'worse.toml');
  fs.writeFileSync(worse, '[[rule]]\nid = "user.w"\npattern = "x"\ncategory = "no_such_cause"\ntitle = "W"\nexplanation = "x"\n');
  await page.getByTestId('rules-import').setInputFiles(worse);
  await page.waitForFunction(() => /worse\.toml, line 4/.test(document.querySelector('[data-testid=rules-error]')?.textContent ?? ''));
  assert.equal(await page.getByTestId('rule-item').count(), 1);
  await screenshot(page, 'rules-import-error');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a rule made from a row of the File view analyses the file again with it', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, server.url, '#/file');
  await page.getByTestId('file-input').setInputFiles(path.join(root, 'tests/fixtures/history/export-2.csv'));
  const row = page.locator('.rt-row[data-category=recipient_server]').first();
  await row.waitFor({ timeout: 60000 });
  await row.getByTestId('rule-new').click();
  const form = page.getByTestId('rule-form');
  await form.getByTestId('rule-wording').fill('Temporary local problem');
  await form.getByTestId('rule-category').selectOption('mailbox_full');
  await form.getByTestId('rule-save').click();
  // The file is read again: its three soft bounces now have the user's cause.
  await page.waitForFunction(() => document.querySelectorAll('.rt-row[data-category=mailbox_full]').length === 3, null, { timeout: 60000 });
  assert.equal(await page.locator('.rt-row[data-category=recipient_server]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
