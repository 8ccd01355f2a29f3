#!/usr/bin/env node
// Trunk's post_build hook (Trunk.toml): finishes the built app in trunk's staging directory,
// before trunk moves it to dist/. No packages needed (node's zlib and crypto).
//
// 1. Names the two workers: trunk does not hash a worker's files, so this does (the loader,
//    the JS and the wasm get the content hash of the last two, like the page's files), and the
//    content of <meta name="bouncelens-quick"> and <meta name="bouncelens-worker"> becomes each
//    loader's name (index.html's boot script and the app start the workers from there).
// 1b. Moves the boot script before the stylesheet (see below).
// 2. Locks the page down: a sha256 hash of every inline script (trunk's loader of the app and
//    the boot script) goes into the Content-Security-Policy's script-src, so the policy needs
//    no 'unsafe-inline'.
// 3. Writes the service worker (sw.js, from static/sw.js) with the list of files to precache
//    and a version, both taken from what was built: no hand-kept list.
// 4. Precompresses every text and wasm file (.br at brotli's best, .gz at gzip's best) for
//    scripts/static-server.mjs, which serves them with Content-Encoding.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

const stage = process.env.TRUNK_STAGING_DIR || process.argv[2];
const source = process.env.TRUNK_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const base = process.env.TRUNK_PUBLIC_URL || '/';
if (!stage || !fs.existsSync(path.join(stage, 'index.html'))) {
  console.error('postbuild: no index.html in the staging directory (run through trunk build)');
  process.exit(1);
}
const fail = (msg) => {
  console.error(`postbuild: ${msg}`);
  process.exit(1);
};
const sha = (data, enc = 'hex') => crypto.createHash('sha256').update(data).digest(enc);

// Every built file, relative to the staging directory (dot-files and old precompressions out).
function listFiles(dir, prefix = '') {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel + '/'));
    else if (!/\.(br|gz)$/.test(e.name)) out.push(rel);
  }
  return out.sort();
}

const indexPath = path.join(stage, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');

// 1. The workers.
const at = (f) => path.join(stage, f);
const loaders = {};
for (const WORKER of ['bouncelens-quick', 'bouncelens-worker']) {
  if (fs.existsSync(at(`${WORKER}_loader.js`))) {
    const js = `${WORKER}.js`, wasm = `${WORKER}_bg.wasm`;
    const h = sha(Buffer.concat([fs.readFileSync(at(js)), fs.readFileSync(at(wasm))])).slice(0, 16);
    const [hjs, hwasm] = [`${WORKER}-${h}.js`, `${WORKER}-${h}_bg.wasm`];
    const loader = fs.readFileSync(at(`${WORKER}_loader.js`), 'utf8');
    if (!loader.includes(`./${js}`) || !loader.includes(`./${wasm}`)) fail(`unexpected worker loader: ${loader}`);
    fs.renameSync(at(js), at(hjs));
    fs.renameSync(at(wasm), at(hwasm));
    // (wasm-bindgen wants its options as one object now; trunk's shim still passes a string.)
    const shim = loader.replace(`"./${js}"`, `"./${hjs}"`).replace(`wasm_bindgen("./${wasm}")`, `wasm_bindgen({ module_or_path: "./${hwasm}" })`);
    if (!shim.includes(hjs) || !shim.includes(hwasm)) fail(`unexpected worker loader: ${loader}`);
    fs.writeFileSync(at(`${WORKER}-${h}_loader.js`), shim);
    fs.rmSync(at(`${WORKER}_loader.js`));
  }
  const found = listFiles(stage).filter((f) => new RegExp(`^${WORKER}-[0-9a-f]{16}_loader\\.js$`).test(f));
  if (found.length !== 1) fail(`expected one ${WORKER} loader, found ${JSON.stringify(found)}`);
  const meta = new RegExp(`(<meta name="${WORKER}" content=")[^"]*(")`);
  if (!meta.test(html)) fail(`index.html has no <meta name="${WORKER}">`);
  html = html.replace(meta, `$1${base}${found[0]}$2`);
  loaders[WORKER] = found[0];
}

// 1b. The boot script runs before the stylesheet is asked for: an inline script after a
//     stylesheet waits until it has loaded, and the boot script starts the quick worker,
//     whose download the first paste waits for (trunk writes inline scripts after the links).
{
  const boot = html.match(/<script>\s*\/\/ index\.html's boot script[\s\S]*?<\/script>/);
  const sheet = html.indexOf('<link rel="stylesheet"');
  if (!boot) fail("index.html has no boot script (static/boot.js, inlined by trunk)");
  if (sheet >= 0 && boot.index > sheet) {
    html = html.slice(0, boot.index) + html.slice(boot.index + boot[0].length);
    html = html.slice(0, sheet) + boot[0] + '\n' + html.slice(sheet);
  }
}

// 2. The CSP: hashes of the inline scripts, as the browser sees their text.
const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\bsrc=/.test(m[1]));
const hashes = inline.map((m) => `'sha256-${sha(m[2], 'base64')}'`);
const csp = /(<meta http-equiv="Content-Security-Policy" content="[^"]*script-src )([^;"]*)/;
if (!csp.test(html)) fail('index.html has no Content-Security-Policy with a script-src');
html = html.replace(csp, (_, head, list) => `${head}${list.split(/\s+/).filter((s) => s && !s.startsWith("'sha256-")).concat(hashes).join(' ')}`);
if (/script-src[^;]*'unsafe-inline'/.test(html)) fail("the CSP's script-src must not allow 'unsafe-inline'");
fs.writeFileSync(indexPath, html);

// 3. The service worker: precache everything built, versioned by the content of it all.
const files = listFiles(stage).filter((f) => f !== 'sw.js');
const version = sha(files.map((f) => `${f} ${sha(fs.readFileSync(path.join(stage, f)))}`).join('\n')).slice(0, 16);
const template = fs.readFileSync(path.join(source, 'static', 'sw.js'), 'utf8');
const marker = /^const BUILD = self\.__BUILD__;$/m;
if (!marker.test(template)) fail('static/sw.js has no "const BUILD = self.__BUILD__;" line to fill in');
const build = { version, index: 'index.html', files };
fs.writeFileSync(path.join(stage, 'sw.js'), template.replace(marker, () => `const BUILD = ${JSON.stringify(build)};`));

// 4. Precompression (what the first view loads, the worker, and the rest).
const compressible = /\.(html|js|mjs|css|wasm|svg|json|webmanifest|txt)$/;
let raw = 0, br = 0;
for (const f of listFiles(stage).filter((f) => compressible.test(f))) {
  const p = path.join(stage, f);
  const data = fs.readFileSync(p);
  if (data.length < 512) continue;
  const b = zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [zlib.constants.BROTLI_PARAM_MODE]: /\.wasm$/.test(f) ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT,
    },
  });
  fs.writeFileSync(p + '.br', b);
  fs.writeFileSync(p + '.gz', zlib.gzipSync(data, { level: 9 }));
  raw += data.length;
  br += b.length;
}
console.log(`postbuild: workers ${Object.values(loaders).join(', ')}, ${hashes.length} inline script hashes in the CSP, sw.js precaches ${files.length} files (version ${version}), ${(raw / 1e6).toFixed(2)} MB precompressed to ${(br / 1e6).toFixed(2)} MB (brotli)`);
