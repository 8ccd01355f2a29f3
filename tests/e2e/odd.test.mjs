// Odd inputs dropped in the built app's File view (the whole catalogue is in
// tests/odd_inputs.rs): a NUL in one row, a gzipped export, Excel workbooks, a zip bomb, a
// broken quote. Each must be read with exact counts, and what was changed or left out said.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve, launch, open, root } from './harness.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncelens-odd-'));
const fixtures = path.join(root, 'tests', 'fixtures', 'odd');
let server, browser;

before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function rows(n) {
  let out = 'email,diagnostic,date\n';
  for (let i = 0; i < n; i++) out += `user${i}@example.com,${i % 2 ? '452 4.2.2 mailbox full' : '550 5.1.1 user unknown'},2026-11-01\n`;
  return out;
}

function write(name, data) {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, data);
  return p;
}

async function analyse(files) {
  const { page, errors } = await open(browser.context, server.url, '#/file');
  await page.getByTestId('file-input').setInputFiles(files);
  await page.locator('[data-testid=summary], [data-testid=file-problem], [data-testid=file-error]').first().waitFor({ timeout: 120000 });
  return { page, errors };
}

const fileLine = (page) => page.locator('[data-testid=file-info] .file-line').first().innerText();

test('a NUL in one row keeps every row and says what was removed', async () => {
  const { page, errors } = await analyse(write('nul.csv', rows(10).replace('user3@', 'us\0er3@')));
  assert.match(await fileLine(page), /10 rows read, 10 analysed$/);
  assert.equal(await page.getByTestId('file-note').innerText(), 'A NUL byte (character 0, which text never holds) was removed; the rows that held it are read without it.');
  assert.equal(await page.getByTestId('file-problem').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a gzipped export is decompressed as it is read', async () => {
  const { page } = await analyse(write('export.csv.gz', zlib.gzipSync(rows(2000))));
  assert.match(await fileLine(page), /2,000 rows read, 2,000 analysed$/);
  assert.equal(await page.getByTestId('total-rows').innerText(), '2,000');
  await page.close();
});

test('Excel workbooks, new and old, are read', async () => {
  for (const [name, n] of [['export.xlsx', 30], ['export.xls', 20]]) {
    const { page } = await analyse(path.join(fixtures, name));
    const line = await fileLine(page);
    assert.match(line, /Excel workbook, sheet "Bounces"/, name);
    assert.match(line, new RegExp(`${n} rows read, ${n} analysed$`), name);
    await page.close();
  }
});

test('a zip bomb stops at the stated ratio and says so', async () => {
  const { page } = await analyse(path.join(fixtures, 'bomb.zip'));
  const note = await page.getByTestId('file-note').innerText();
  assert.match(note, /expanded more than 200 times its compressed size .* as a zip bomb does\. What was read until then is analysed; the rest is left out\./);
  await page.close();
});

test('a broken quote costs one listed row, not the rest of the file', async () => {
  const text = rows(8).replace('user2@example.com,550', 'user2@example.com,"550');
  const { page } = await analyse(write('quote.csv', text));
  assert.match(await fileLine(page), /8 rows read, 7 analysed, 1 bad$/);
  assert.match(await page.getByTestId('bad-rows').innerText(), /quote\.csv, row 4: a quote opened in this row is never closed/);
  await page.close();
});
