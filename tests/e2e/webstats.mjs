// The web app's figures (scripts/webstats runs this after building): compressed sizes, the
// Lighthouse scores, and the time from navigation to the first verdict. Prints, asserts nothing.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serve, launch, dist, root } from './harness.mjs';

const RUNS = Number(process.env.RUNS || 3);
const REPLY = '550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown in virtual mailbox table';
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// -- Sizes -------------------------------------------------------------------------------
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const href = (re) => (html.match(re) || [])[1]?.replace(/^\//, '');
const page = {
  'index.html': 'index.html',
  css: href(/<link rel="stylesheet" href="([^"]+)"/),
  js: href(/<link rel="modulepreload" href="([^"]+)"/),
  wasm: href(/<link rel="preload" href="([^"]+_bg\.wasm)"/),
};
const workerFiles = (name) => {
  const loader = href(new RegExp(`<meta name="${name}" content="([^"]+)"`));
  const base = loader.replace(/_loader\.js$/, '');
  return { loader, js: `${base}.js`, wasm: `${base}_bg.wasm` };
};
function sizes(files) {
  let t = { raw: 0, gz: 0, br: 0 };
  const rows = Object.entries(files).map(([what, f]) => {
    const data = fs.readFileSync(path.join(dist, f));
    const s = {
      raw: data.length,
      gz: zlib.gzipSync(data, { level: 9 }).length,
      br: fs.existsSync(path.join(dist, f + '.br')) ? fs.statSync(path.join(dist, f + '.br')).size : data.length,
    };
    t = { raw: t.raw + s.raw, gz: t.gz + s.gz, br: t.br + s.br };
    return `  ${what.padEnd(11)} ${kb(s.raw).padStart(10)} raw ${kb(s.gz).padStart(10)} gzip -9 ${kb(s.br).padStart(10)} brotli   ${f}`;
  });
  return { rows, t };
}
const p = sizes(page);
const q = sizes(workerFiles('bouncelens-quick'));
const w = sizes(workerFiles('bouncelens-worker'));
console.log('== what the first view loads (page)');
p.rows.forEach((r) => console.log(r));
console.log(`  ${'total'.padEnd(11)} ${kb(p.t.raw).padStart(10)} raw ${kb(p.t.gz).padStart(10)} gzip -9 ${kb(p.t.br).padStart(10)} brotli`);
console.log('== the quick worker (started at once; the first paste waits for it)');
q.rows.forEach((r) => console.log(r));
console.log(`  ${'total'.padEnd(11)} ${kb(q.t.raw).padStart(10)} raw ${kb(q.t.gz).padStart(10)} gzip -9 ${kb(q.t.br).padStart(10)} brotli`);
console.log(`== page and quick worker together: ${kb(p.t.gz + q.t.gz)} gzip -9, ${kb(p.t.br + q.t.br)} brotli`);
console.log('== the files worker (started per file analysis)');
w.rows.forEach((r) => console.log(r));
console.log(`  ${'total'.padEnd(11)} ${kb(w.t.raw).padStart(10)} raw ${kb(w.t.gz).padStart(10)} gzip -9 ${kb(w.t.br).padStart(10)} brotli`);

// -- Lighthouse ----------------------------------------------------------------------------
const server = await serve();
const lighthouse = path.join(root, '.tools', 'node_modules', '.bin', 'lighthouse');
// Asynchronously: the server runs in this process, and a synchronous child would stop it
// from answering Lighthouse's browser (whose navigation then fails with "Target closed").
async function audit(preset) {
  const args = [
    `${server.url}/#/paste`, '--quiet', '--output=json', '--output-path=stdout',
    '--only-categories=performance,accessibility,best-practices,seo',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
  ];
  if (preset === 'desktop') args.push('--preset=desktop');
  const { stdout } = await promisify(execFile)(lighthouse, args, { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM || '/usr/bin/chromium' }, maxBuffer: 1 << 28 });
  const r = JSON.parse(stdout.toString());
  const score = (c) => Math.round((r.categories[c]?.score ?? 0) * 100);
  const ms = (a) => r.audits[a]?.numericValue;
  const failed = Object.values(r.categories).flatMap((c) => c.auditRefs.filter((a) => a.weight > 0).map((a) => r.audits[a.id]).filter((a) => a.score !== null && a.score < 1).map((a) => `${c.id}: ${a.id} (${a.displayValue || a.score})`));
  return {
    line: `${preset.padEnd(7)} performance ${score('performance')}, accessibility ${score('accessibility')}, best practices ${score('best-practices')}, SEO ${score('seo')} | FCP ${Math.round(ms('first-contentful-paint'))} ms, LCP ${Math.round(ms('largest-contentful-paint'))} ms, TBT ${Math.round(ms('total-blocking-time'))} ms, CLS ${ms('cumulative-layout-shift').toFixed(3)}, SI ${Math.round(ms('speed-index'))} ms`,
    failed,
  };
}
console.log('== Lighthouse 12 (simulated throttling; mobile: Moto G Power, slow 4G, 4x CPU; desktop: 10 Mbps, 40 ms)');
for (const preset of ['mobile', 'desktop']) {
  try {
    const a = await audit(preset);
    console.log(`  ${a.line}`);
    for (const f of a.failed) console.log(`    not full marks: ${f}`);
  } catch (e) {
    console.log(`  ${preset}: lighthouse failed: ${String(e).split('\n')[0]}`);
  }
}

// -- Navigation to the first verdict -------------------------------------------------------
// A fresh profile each run (nothing cached, no service worker): the first visit, the slowest.
const DESKTOP = { offline: false, latency: 40, downloadThroughput: (10 * 1024 * 1024) / 8, uploadThroughput: (10 * 1024 * 1024) / 8 };
const browser = await launch();
async function firstVerdict(network) {
  const context = await browser.newContext();
  const pg = await context.newPage();
  if (network) {
    const cdp = await context.newCDPSession(pg);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', network);
  }
  await pg.addInitScript(() => {
    new MutationObserver((_, o) => {
      if (document.querySelector('[data-testid=result-card]')) {
        window.__firstVerdict = performance.now();
        o.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const nav = pg.goto(`${server.url}/#/paste`);
  // Paste as soon as the box is there (the shell, before any wasm).
  await pg.waitForSelector('[data-testid=paste-input]', { timeout: 30000 });
  const typedAt = await pg.evaluate(() => performance.now());
  await pg.getByTestId('paste-input').fill(REPLY);
  await pg.getByTestId('analyze-button').click();
  await pg.waitForFunction(() => window.__firstVerdict, null, { timeout: 60000 });
  await nav;
  const r = await pg.evaluate(() => ({ verdict: window.__firstVerdict, app: performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime }));
  await context.close();
  return { ...r, typedAt };
}
console.log(`== navigation to the first verdict for a pasted reply (headless Chromium, fresh profile, median of ${RUNS})`);
for (const [label, network] of [['desktop profile (10 Mbps, 40 ms)', DESKTOP], ['unthrottled (local server)', null]]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await firstVerdict(network));
  console.log(`  ${label.padEnd(34)} first verdict ${Math.round(median(runs.map((r) => r.verdict)))} ms (runs: ${runs.map((r) => Math.round(r.verdict)).join(', ')}); first paint ${Math.round(median(runs.map((r) => r.app)))} ms; box typed into at ${Math.round(median(runs.map((r) => r.typedAt)))} ms`);
}
await browser.close();
await server.close();
