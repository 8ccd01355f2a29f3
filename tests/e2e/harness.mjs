// Shared set-up for the browser tests: the app's static server (scripts/static-server.mjs, as
// scripts/serve runs it) on a random port, and headless Chromium (Debian's) driven by
// playwright-core.
//
// Every browser context the tests use is watched for the whole suite: a Content-Security-
// Policy violation (in a page or a worker), or a request to anywhere but the app's own server,
// fails the test file when its browser closes (see `launch().close`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createStaticServer } from '../../scripts/static-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const dist = path.join(root, 'dist');
export const artifacts = path.join(here, 'artifacts');

/** The origins of the servers started here: the only places the app may load from. */
const origins = new Set();

/**
 * Serves dist/ on 127.0.0.1 (random port, or `port`). `requests` lists every URL asked for,
 * `referers` every Referer header sent; `overrides` maps a path to a body served instead.
 */
export async function serve({ port = 0 } = {}) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the app first (trunk build --offline --release)');
  }
  const requests = [];
  const referers = [];
  const overrides = new Map();
  const sockets = new Set();
  const server = createStaticServer({
    root: dist,
    onRequest: (req) => {
      requests.push(req.url);
      if (req.headers.referer) referers.push(`${req.url} <- ${req.headers.referer}`);
    },
    override: (pathname) => overrides.get(pathname) ?? null,
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  origins.add(url);
  return {
    url,
    port: server.address().port,
    requests,
    referers,
    overrides,
    // Closes the server and the connections the browser keeps open.
    close: () => new Promise((r) => {
      server.close(r);
      for (const s of sockets) s.destroy();
    }),
  };
}

/** What a context must never do; `problems` collects it. */
async function watch(context, problems) {
  context.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('blob:') || u.startsWith('data:')) return;
    if (![...origins].some((o) => u === o || u.startsWith(o + '/'))) problems.push(`request outside the app's origin: ${u}`);
  });
  const page = (p) => {
    p.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Content-Security-Policy/i.test(m.text())) problems.push(`CSP: ${m.text()} (${p.url()})`);
    });
    p.on('worker', (w) => w.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP in a worker: ${m.text()}`);
    }));
  };
  context.pages().forEach(page);
  context.on('page', page);
  // The events the browser fires for each violation (reported even when nothing is logged).
  await context.exposeBinding('__bouncelensViolation', (source, v) => problems.push(`CSP violation: ${v} (${source.page?.url()})`));
  await context.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      const w = globalThis.__bouncelensViolation;
      if (w) w(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`);
    });
  });
}

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];

/**
 * Headless Chromium with one context ready (`context`, 1280 px wide); `newContext()` makes
 * more (each a fresh profile: no cache, no service worker). `close()` fails if any context
 * broke the CSP or asked anything of another origin.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  const problems = [];
  const newContext = async (options = {}) => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
    await watch(c, problems);
    return c;
  };
  const context = await newContext();
  return {
    browser,
    context,
    newContext,
    problems,
    close: async () => {
      await browser.close();
      if (problems.length) throw new Error(`the app broke its lock-down:\n${[...new Set(problems)].join('\n')}`);
    },
  };
}

/**
 * Opens the app at a hash route and waits for it to take over from index.html's shell
 * (`{ shell: true }`: only for the shell to show). Collects page errors.
 */
export async function open(context, base, hash = '#/paste', { shell = false } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector(shell ? 'header.top' : 'html[data-app=ready]', { timeout: 30000 });
  return { page, errors };
}

/** Saves a screenshot for people to look at (tests/e2e/artifacts, not committed). */
export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
