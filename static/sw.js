// Offline from the first visit. On install the whole build (every file Trunk wrote, listed at
// build time by .ci/postbuild.mjs) is stored in a cache named after the release; requests are
// answered from that cache first, so a reload with the network off works after one visit.
// A new release installs beside the old one and waits: the page offers "a new version is
// available", and only when the user accepts does it take over and delete the old caches.
// Only same-origin GET requests are handled; nothing is ever sent elsewhere.
const RELEASE = '/*@RELEASE@*/dev';
const PRECACHE = [/*@PRECACHE@*/];
const PREFIX = 'crm-analytics-';
const CACHE = PREFIX + RELEASE;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) =>
    c.addAll(PRECACHE.map((u) => new Request(u, { cache: 'reload' })))));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys
      .filter((k) => k.startsWith(PREFIX) && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('message', (e) => {
  if (e.data === 'skip-waiting') self.skipWaiting();
  if (e.data === 'release' && e.source) e.source.postMessage({ release: RELEASE });
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const navigate = req.mode === 'navigate';
  e.respondWith(caches.open(CACHE).then(async (cache) => {
    const hit = navigate
      ? (await cache.match('./')) || (await cache.match('index.html'))
      : await cache.match(req, { ignoreSearch: true });
    if (hit) return hit;
    try {
      const res = await fetch(req);
      // A file of this release that was not precached (a dev build): keep it for offline use.
      if (res.ok && !navigate && RELEASE === 'dev') cache.put(req, res.clone());
      return res;
    } catch (err) {
      return navigate && (await cache.match('./')) || Response.error();
    }
  }));
});
