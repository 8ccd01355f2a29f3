// Locked down: a Content-Security-Policy without 'unsafe-inline' for scripts (the inline
// scripts are allowed by their hashes), nothing fetched from elsewhere, no referrer; and the
// app served like a static host (compressed, cached by content hash). The harness also fails
// every test file on any CSP violation or foreign request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, open, dist } from './harness.mjs';

let server, browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const html = () => fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const csp = () => html().match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)[1];
const directive = (name) => csp().split(';').map((d) => d.trim().split(/\s+/)).find((d) => d[0] === name)?.slice(1) ?? [];

test('the policy allows scripts only from the app and by hash, connections only to the app', () => {
  const script = directive('script-src');
  assert.ok(!script.includes("'unsafe-inline'"), script.join(' '));
  assert.ok(!script.includes("'unsafe-eval'"), script.join(' '));
  const inline = [...html().matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\bsrc=/.test(m[1]));
  assert.ok(inline.length >= 2, 'trunk\'s loader and the boot script are inline');
  assert.equal(script.filter((s) => s.startsWith("'sha256-")).length, inline.length);
  assert.deepEqual(directive('connect-src'), ["'self'"]);
  assert.deepEqual(directive('default-src'), ["'self'"]);
  assert.deepEqual(directive('object-src'), ["'none'"]);
  assert.match(html(), /<meta name="referrer" content="no-referrer"/);
  // No third-party address anywhere in the page.
  const urls = [...html().matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(urls.filter((u) => /^(https?:)?\/\//.test(u)), []);
});

test('an injected inline script is refused (and the refusal is what the harness catches)', async () => {
  // A context the harness does not watch: this violation is on purpose.
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  const violations = [];
  await page.exposeFunction('__violation', (d) => violations.push(d));
  await page.addInitScript(() => addEventListener('securitypolicyviolation', (e) => window.__violation(e.violatedDirective)));
  await page.goto(`${server.url}/#/paste`);
  await page.waitForSelector('html[data-app=ready]');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true';
    document.body.append(s);
  });
  await page.waitForFunction(() => true);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await page.evaluate(() => window.__ran), undefined);
  assert.ok(violations.some((v) => v.startsWith('script-src')), violations.join(','));
  await context.close();
});

test('the app sends no referrer and asks nothing of other origins while it works', async () => {
  const { page, errors } = await open(browser.context, server.url, '#/paste');
  await page.getByTestId('paste-input').fill('550 5.7.26 Unauthenticated email from example.com is not accepted due to domain\'s DMARC policy');
  await page.getByTestId('result-card').first().waitFor();
  await page.goto(`${server.url}/#/reference/5.7.26`);
  await page.getByTestId('reference-detail').waitFor();
  assert.deepEqual(server.referers, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(browser.problems, []);
  await page.close();
});

test('the quick worker, which the first paste waits for, links no file analysis', () => {
  // A message only the zip reader writes: in the files worker's wasm, not in the quick one's
  // (whose handler never names the file analysis, so the linker leaves it out).
  const only = (name) => fs.readdirSync(dist).filter((f) => new RegExp(`^${name}-[0-9a-f]{16}_bg\\.wasm$`).test(f));
  const [quick] = only('bouncelens-quick');
  const [files] = only('bouncelens-worker');
  assert.ok(quick && files, fs.readdirSync(dist).join(' '));
  const has = (f, text) => fs.readFileSync(path.join(dist, f)).includes(Buffer.from(text));
  assert.ok(has(files, 'zip archive cannot be read'));
  assert.ok(!has(quick, 'zip archive cannot be read'));
  // Both explain replies: the knowledge base is in each.
  assert.ok(has(quick, 'Recipient address rejected') && has(files, 'Recipient address rejected'));
  assert.ok(fs.statSync(path.join(dist, quick)).size < 0.7 * fs.statSync(path.join(dist, files)).size);
});

test('served like a static host: compressed, hashed files cached for good, the rest revalidated', async () => {
  const files = fs.readdirSync(dist);
  const wasm = files.filter((f) => /_bg\.wasm$/.test(f));
  assert.equal(wasm.length, 3, files.join(' '));
  const head = async (p, enc = 'br, gzip') => {
    const r = await fetch(`${server.url}/${p}`, { headers: { 'accept-encoding': enc } });
    await r.arrayBuffer();
    return r.headers;
  };
  for (const f of wasm) {
    const h = await head(f);
    assert.equal(h.get('content-encoding'), 'br', f);
    assert.equal(h.get('content-type'), 'application/wasm');
    assert.match(h.get('cache-control'), /max-age=31536000.*immutable/);
    assert.equal((await head(f, 'gzip')).get('content-encoding'), 'gzip');
  }
  for (const f of ['', 'index.html', 'sw.js', 'manifest.webmanifest']) {
    const h = await head(f);
    assert.equal(h.get('cache-control'), 'no-cache', f || '/');
    assert.ok(h.get('etag'), f);
  }
  const r = await fetch(`${server.url}/index.html`, { headers: { 'if-none-match': (await head('index.html')).get('etag'), 'accept-encoding': 'br, gzip' } });
  assert.equal(r.status, 304);
});

test('installable: a manifest with 192 and 512 px icons', async () => {
  const m = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.webmanifest'), 'utf8'));
  const sizes = m.icons.map((i) => i.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'), sizes.join(','));
  for (const i of m.icons) {
    const png = fs.readFileSync(path.join(dist, i.src));
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.equal(`${w}x${h}`, i.sizes, i.src);
  }
  assert.match(html(), /<link rel="manifest" href="manifest.webmanifest"/);
});
