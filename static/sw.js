// The service worker: after the first visit bouncelens loads, explains and analyses files with
// the network off. It precaches every file of the build; the list and the version are written
// in by scripts/postbuild.mjs (from what trunk built, never by hand) on the line below.
//
// A new version installs in the background, takes over at once and serves the next load; the
// page says so (index.html's boot script tells the app). The cache of the version before is
// kept, so a page still running it can start its workers.
const BUILD = self.__BUILD__;
const PREFIX = 'bouncelens-';
const CACHE = PREFIX + BUILD.version;
// Which versions were installed, oldest first (kept in a cache of its own).
const LOG = PREFIX + 'versions';
const KEEP = 2;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // Revalidate with the server (a 304 for what the page just loaded), never a stale copy.
      .then((cache) => cache.addAll(BUILD.files.map((f) => new Request(f, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting()),
  );
});

async function versions() {
  const log = await caches.open(LOG);
  const r = await log.match('versions');
  return { log, list: r ? await r.json() : [] };
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const { log, list } = await versions();
      const now = list.filter((v) => v !== BUILD.version).concat(BUILD.version).slice(-KEEP);
      await log.put('versions', new Response(JSON.stringify(now), { headers: { 'content-type': 'application/json' } }));
      const keep = new Set(now.map((v) => PREFIX + v).concat(LOG));
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && !keep.has(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // Every page of the app is index.html (the views are in the URL's #hash).
    event.respondWith(
      caches
        .open(CACHE)
        .then((cache) => cache.match(BUILD.index))
        .then((hit) => hit || fetch(request)),
    );
    return;
  }
  event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
});
