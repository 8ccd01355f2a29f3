#!/usr/bin/env node
// Serves the built app (dist/) the way a static host would, with node's standard library only:
// - Content-Encoding: the .br or .gz file scripts/postbuild.mjs wrote next to each file, as
//   the browser's Accept-Encoding allows (brotli first), with Vary: Accept-Encoding;
// - Cache-Control: a year, immutable, for files whose name carries a content hash (trunk's
//   `-<16 hex>` names); no-cache (revalidate, with ETag and 304) for everything else:
//   index.html, the service worker, the manifest and the icons;
// - every URL that is not a file is index.html (the views are in the #hash anyway).
//
// As a module it is the browser tests' server (tests/e2e/harness.mjs); as a command it is what
// scripts/serve runs:  node scripts/static-server.mjs [--root dist] [--port 8080] [--host 127.0.0.1]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Whether a file name carries a content hash (`style-0123456789abcdef.css`). Trunk writes its
 * 64-bit hash in hex without leading zeros, so one build in sixteen has a 15-digit hash (and
 * was then served uncached); 8 to 16 digits, so that `icon-192.png` is not taken for one.
 */
export const hashed = (name) => /-[0-9a-f]{8,16}(_bg\.wasm|_loader\.js|\.[a-z0-9]+)$/.test(name);

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The encodings the request accepts, in our order of preference. */
function accepted(header) {
  const ok = new Map();
  for (const part of String(header || '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    ok.set(name, q ? Number(q.slice(2)) : 1);
  }
  return [['br', '.br'], ['gzip', '.gz']].filter(([name]) => (ok.get(name) ?? ok.get('*') ?? 0) > 0);
}

/**
 * A server for `root`. `onRequest(req)` sees every request (the tests record them);
 * `override(pathname)` may return a body to serve instead of the file (the tests use it to
 * publish a "new version"). Returns the http.Server (not listening yet).
 */
export function createStaticServer({ root, onRequest = () => {}, override = () => null }) {
  root = path.resolve(root);
  return http.createServer((req, res) => {
    onRequest(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const replaced = override(pathname);
    if (replaced != null) {
      res.writeHead(200, { 'content-type': TYPES[path.extname(pathname)] || 'application/octet-stream', 'cache-control': REVALIDATE });
      res.end(replaced);
      return;
    }
    let file = path.normalize(path.join(root, pathname));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    let stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!stat && !path.extname(pathname)) {
      // An app URL without a file: the app.
      file = path.join(root, 'index.html');
      stat = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!stat || !stat.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': REVALIDATE }).end('not found');
      return;
    }
    const name = path.basename(file);
    const headers = {
      'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
      'cache-control': hashed(name) ? IMMUTABLE : REVALIDATE,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      vary: 'Accept-Encoding',
    };
    let body = file;
    for (const [encoding, ext] of accepted(req.headers['accept-encoding'])) {
      const s = fs.statSync(file + ext, { throwIfNoEntry: false });
      if (s?.isFile()) {
        body = file + ext;
        stat = s;
        headers['content-encoding'] = encoding;
        break;
      }
    }
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${headers['content-encoding'] ? '-' + headers['content-encoding'] : ''}"`;
    headers.etag = etag;
    headers['last-modified'] = stat.mtime.toUTCString();
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    headers['content-length'] = stat.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(body).pipe(res);
  });
}

// As a command.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const root = arg('root', path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  const host = arg('host', '127.0.0.1');
  const port = Number(arg('port', 8080));
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    console.error(`static-server: ${root}/index.html is missing (build the app first)`);
    process.exit(1);
  }
  const server = createStaticServer({ root });
  server.on('error', (e) => {
    console.error(`static-server: ${e.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => console.log(`bouncelens: serving ${root} on http://${host}:${port} (Ctrl+C to stop)`));
}
