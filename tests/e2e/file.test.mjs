// The File view in the built app: exports of every supported layout, a zip, drag and drop,
// the downloads, bad files, and that nothing leaves the page while a file is analysed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, open, screenshot, root } from './harness.mjs';

const cli = path.join(root, 'target', 'release', 'bouncelens');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncelens-files-'));
let server, browser;

before(async () => {
  assert.ok(fs.existsSync(cli), `${cli} is missing: build it first (cargo build --release)`);
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function generate(layout, rows = 1500) {
  const ext = ['ses', 'mailgun-events'].includes(layout) ? 'jsonl' : 'csv';
  const file = path.join(tmp, `${layout}.${ext}`);
  fs.writeFileSync(file, execFileSync(cli, ['generate', '--layout', layout, '--rows', String(rows), '--campaigns', '5', '--seed', '3'], { maxBuffer: 1 << 28 }));
  return file;
}

/** Opens the File view, picks the files, waits for the result (summary or a problem). */
async function analyse(files) {
  const { page, errors } = await open(browser.context, server.url, '#/file');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.getByTestId('file-input').setInputFiles(files);
  await page.locator('[data-testid=summary], [data-testid=file-problem], [data-testid=file-error]').first().waitFor({ timeout: 120000 });
  return { page, errors, requests };
}

async function alertIds(page) {
  return page.locator('[data-alert]').evaluateAll((as) => as.map((a) => a.getAttribute('data-alert')));
}

async function roleOf(page, column) {
  return page.locator(`[data-testid=columns] tr[data-column="${column}"]`).first().getAttribute('data-role');
}

// Each layout: the column that must be taken as the address, and one as the reply.
const LAYOUTS = [
  ['generic', 'email', 'reason'],
  ['klaviyo', 'Email', 'Bounce Reason'],
  ['hubspot', 'recipient', 'response'],
  ['activecampaign', 'Email', 'Bounce Description'],
  ['sendgrid', 'email', 'reason'],
  ['mailgun', 'address', 'error'],
  ['mailgun-events', 'recipient', 'delivery-status.message'],
  ['ses', 'bounce.bouncedRecipients.emailAddress', 'bounce.bouncedRecipients.diagnosticCode'],
  ['postmark', 'Email', 'Details'],
  ['brevo', 'email', 'reason'],
  ['campaignmonitor', 'Email', 'Bounce Reason'],
  ['sfmc', 'EmailAddress', 'SMTPBounceReason'],
];

for (const [layout, address, reply] of LAYOUTS) {
  test(`${layout} export: columns recognised, alerts found`, async () => {
    const { page, errors } = await analyse([generate(layout)]);
    assert.equal(await roleOf(page, address), 'address');
    assert.equal(await roleOf(page, reply), 'diagnostic');
    const ids = await alertIds(page);
    for (const want of ['authentication', 'blocklisted', 'list_decay']) {
      assert.ok(ids.includes(want), `${layout}: alert ${want} missing from ${ids}`);
    }
    assert.ok((await page.getByTestId('action-table').locator('tr[data-action=suppress]').count()) === 1);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('the action table, rows table and suppression download of a SendGrid export', async () => {
  const { page, requests } = await analyse([generate('sendgrid', 4000)]);
  assert.match(await page.getByTestId('layout').innerText(), /SendGrid/);
  assert.equal(await page.getByTestId('total-rows').innerText(), '4,000');
  const ids = await alertIds(page);
  assert.ok(ids.includes('recurring_soft'), ids.join(','));
  // Rows table: rows are there, filtering narrows them.
  const table = page.getByTestId('rows-table');
  await table.locator('[role=row][data-category]').first().waitFor();
  await page.getByTestId('filter-category').selectOption('mailbox_full');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=rows-table] [role=row][data-category]')].every((r) => r.dataset.category === 'mailbox_full'));
  const count = await page.getByTestId('rows-count').innerText();
  assert.ok(!count.startsWith('4,000'), count);
  // The suppression list: hard bounces only, spreadsheet-safe.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-suppression').click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines[0], 'address,category,reply_code,enhanced_code,reason,date,source');
  assert.ok(lines.length > 1000, `${lines.length} lines`);
  for (const l of lines.slice(1)) {
    assert.match(l, /^[^,]+@[^,]+,(invalid_recipient|invalid_domain|mailbox_disabled|domain_rejects_mail|complaint|invalid_address_syntax|mailbox_moved),/);
  }
  const [ann] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-annotated').click()]);
  const annotated = fs.readFileSync(await ann.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(annotated.length, 4001);
  assert.match(annotated[0], /bl_category/);
  const [rep] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
  const report = JSON.parse(fs.readFileSync(await rep.path(), 'utf8'));
  assert.equal(report.analysed, 4000);
  await screenshot(page, 'file-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'file-phone');
  // Nothing but the app's own files was requested while analysing.
  const foreign = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  await page.close();
});

test('a zip of exports (as Mailchimp exports come) is read entry by entry', async () => {
  const csv = generate('mailchimp', 600);
  const other = generate('generic', 400);
  const zip = path.join(tmp, 'mailchimp-export.zip');
  execFileSync('python3', ['-c', 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n  z.write(sys.argv[2], "cleaned_members_export.csv")\n  z.write(sys.argv[3], "bounces.csv")', zip, csv, other]);
  const { page } = await analyse([zip]);
  assert.equal(await page.getByTestId('total-rows').innerText(), '1,000');
  assert.equal(await page.getByTestId('file-info').count(), 2);
  assert.match(await page.getByTestId('files').innerText(), /Mailchimp cleaned contacts/);
  await page.close();
});

test('files dropped anywhere on the page are analysed', async () => {
  const { page } = await open(browser.context, server.url, '#/paste');
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['email,reason\na@example.com,550 5.1.1 user unknown\nb@example.com,452 4.2.2 mailbox full\n'], 'dropped.csv', { type: 'text/csv' }));
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.getByTestId('summary').waitFor({ timeout: 60000 });
  assert.match(page.url(), /#\/file$/);
  assert.equal(await page.getByTestId('total-rows').innerText(), '2');
  await page.close();
});

test('a table pasted as text is analysed like a file', async () => {
  const { page } = await open(browser.context, server.url, '#/file');
  await page.locator('summary', { hasText: 'paste a table' }).click();
  await page.getByTestId('table-input').fill('Email Address\tReason\nann@example.com\t550 5.1.1 user unknown\nbo@example.com\t554 5.7.1 blocked using zen.spamhaus.org\n');
  await page.getByRole('button', { name: 'Analyse the table' }).click();
  await page.getByTestId('summary').waitFor({ timeout: 60000 });
  assert.equal(await page.getByTestId('total-rows').innerText(), '2');
  await page.close();
});

test('bad files get clear messages; the rest is analysed', async () => {
  const bin = path.join(tmp, 'photo.jpg');
  fs.writeFileSync(bin, Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 256)));
  const empty = path.join(tmp, 'empty.csv');
  fs.writeFileSync(empty, '');
  const noaddr = path.join(tmp, 'noaddr.csv');
  fs.writeFileSync(noaddr, 'name,city,reason\nAnn,Paris,550 5.1.1 user unknown\n');
  let r = await analyse([bin]);
  assert.match(await r.page.getByTestId('file-problem').innerText(), /binary/i);
  await r.page.close();
  r = await analyse([empty]);
  assert.match(await r.page.getByTestId('file-problem').innerText(), /empty/i);
  await r.page.close();
  r = await analyse([noaddr]);
  const msg = await r.page.getByTestId('file-problem').innerText();
  assert.match(msg, /No column with email addresses/);
  assert.match(msg, /"city"/);
  // Choosing the address column by hand makes it work.
  await r.page.close();

  // Broken quoting and a 100 MB single line, next to good rows.
  const broken = path.join(tmp, 'broken.csv');
  fs.writeFileSync(broken, 'email,reason\nok@example.com,550 5.1.1 user unknown\nx@example.com,"550 5.1.1 unterminated\n');
  const big = path.join(tmp, 'oneline.csv');
  const fd = fs.openSync(big, 'w');
  fs.writeSync(fd, 'email,reason\n');
  const block = Buffer.alloc(1 << 20, 'x');
  for (let i = 0; i < 100; i++) fs.writeSync(fd, block);
  fs.writeSync(fd, '\ngood@example.com,550 5.1.1 user unknown\n');
  fs.closeSync(fd);
  r = await analyse([broken, big]);
  await r.page.getByTestId('bad-rows').waitFor();
  const bad = await r.page.getByTestId('bad-rows').innerText();
  assert.match(bad, /oneline\.csv, row 2: row longer than 1 MB/);
  assert.equal(await r.page.getByTestId('total-rows').innerText(), '3');
  await r.page.close();
});

test('the user can change which column is which', async () => {
  const f = path.join(tmp, 'odd.csv');
  fs.writeFileSync(f, 'who,what\nann@example.com,550 5.1.1 user unknown\nbo@example.com,421 4.7.0 try later\n');
  const { page } = await analyse([f]);
  assert.equal(await roleOf(page, 'who'), 'address');
  await page.locator('summary', { hasText: 'Columns:' }).click();
  await page.locator('[data-testid=columns] tr[data-column="what"] select').selectOption('');
  await page.waitForFunction(() => document.querySelector('[data-testid=columns] tr[data-column="what"]')?.dataset.role === '');
  await page.getByTestId('summary').waitFor();
  const causes = await page.getByTestId('summary').innerText();
  assert.match(causes, /Unknown/);
  await page.close();
});

test('cancel stops the analysis', async () => {
  const f = generate('generic', 800000);
  const { page } = await open(browser.context, server.url, '#/file');
  await page.getByTestId('file-input').setInputFiles(f);
  await page.getByTestId('progress').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Cancelled').waitFor();
  assert.equal(await page.getByTestId('summary').count(), 0);
  await page.close();
});
