// Browser benchmark (prints figures, asserts nothing): a 1-million-row export and an mbox of the
// sample bounce emails analysed end to end in headless Chromium, the tab's peak memory, and the
// same files analysed natively by the CLI for the browser/native ratio.
// Run with scripts/bench (after trunk build and cargo build --release).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, open, root } from './harness.mjs';

const cli = path.join(root, 'target', 'release', 'bouncelens');
const rows = Number(process.env.BENCH_ROWS || 1000000);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncelens-bench-'));

function renderers() {
  // The page and its worker run in one Chromium renderer process: resident memory per process.
  const out = new Map();
  for (const line of execFileSync('ps', ['-eo', 'pid=,rss=,args=']).toString().split('\n')) {
    if (line.includes('chromium') && line.includes('--type=renderer')) {
      const [pid, rss] = line.trim().split(/\s+/);
      out.set(pid, Number(rss) * 1024);
    }
  }
  return out;
}

function native(file) {
  const t = process.hrtime.bigint();
  execFileSync(cli, ['analyze', '--summary', file], { maxBuffer: 1 << 28 });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function inBrowser(browser, server, file) {
  const { page } = await open(browser.context, server.url, '#/file');
  const base = renderers();
  const peaks = new Map(base);
  const sample = () => { for (const [pid, rss] of renderers()) peaks.set(pid, Math.max(peaks.get(pid) || 0, rss)); };
  const timer = setInterval(sample, 200);
  const t = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('summary').waitFor({ timeout: 600000 });
  const secs = (Date.now() - t) / 1000;
  clearInterval(timer);
  sample();
  // The tab's process is the one that grew most.
  let tab = null;
  for (const [pid, p] of peaks) if (!tab || p - (base.get(pid) || 0) > tab.grew) tab = { pid, grew: p - (base.get(pid) || 0), peak: p, before: base.get(pid) || 0 };
  const analysed = Number((await page.getByTestId('total-rows').innerText()).replace(/,/g, ''));
  const wasmMB = (await page.evaluate(() => window.__wasmBytes || 0)) / 1e6;
  await page.close();
  return { secs, analysed, peakMB: tab.peak / 1e6, baseMB: tab.before / 1e6, wasmMB };
}

const server = await serve();
const browser = await launch();
// The worker reports the size of its WebAssembly memory with its report (a `done` response of
// src/ui/protocol.rs).
await browser.context.addInitScript(() => {
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { if (e.data?.done?.wasm_bytes) window.__wasmBytes = e.data.done.wasm_bytes; });
    }
  };
});
try {
  const csv = path.join(tmp, 'export.csv');
  fs.writeFileSync(csv, execFileSync(cli, ['generate', '--rows', String(rows), '--campaigns', '8'], { maxBuffer: 1 << 30 }));
  const mb = fs.statSync(csv).size / 1e6;
  const b = await inBrowser(browser, server, csv);
  const n = native(csv);
  console.log(`browser: ${b.analysed} rows (${mb.toFixed(0)} MB) in ${b.secs.toFixed(2)} s = ${(b.analysed / b.secs / 1e6).toFixed(2)} M rows/s, ${(mb / b.secs).toFixed(0)} MB/s; tab memory peak ${b.peakMB.toFixed(0)} MB (${b.baseMB.toFixed(0)} MB before; the worker's wasm memory ${b.wasmMB.toFixed(0)} MB)`);
  console.log(`native CLI, same file: ${n.toFixed(2)} s = ${(rows / n / 1e6).toFixed(2)} M rows/s; browser/native time ratio ${(b.secs / n).toFixed(2)}`);

  const dir = path.join(root, 'tests', 'fixtures', 'sisimai-dev');
  if (fs.existsSync(dir)) {
    const mails = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => fs.readFileSync(path.join(dir, f)));
    const rounds = 10;
    const mbox = path.join(tmp, 'bounces.mbox');
    const fd = fs.openSync(mbox, 'w');
    for (let r = 0; r < rounds; r++) {
      for (const m of mails) {
        fs.writeSync(fd, 'From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n');
        fs.writeSync(fd, m.toString('latin1').replace(/\r\n/g, '\n').replace(/^From /gm, '>From '), null, 'latin1');
        fs.writeSync(fd, '\n');
      }
    }
    fs.closeSync(fd);
    const count = mails.length * rounds;
    const e = await inBrowser(browser, server, mbox);
    const en = native(mbox);
    console.log(`browser: ${count} bounce emails (mbox) in ${e.secs.toFixed(2)} s = ${(count / e.secs).toFixed(0)} emails/s; native ${(count / en).toFixed(0)} emails/s; ratio ${(e.secs / en).toFixed(2)}`);
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
