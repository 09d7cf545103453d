// Offline support: every same-origin GET is served from the cache when the network is off,
// and the cache is refreshed whenever the network answers. Nothing is ever sent elsewhere.
const CACHE = 'crm-analytics-v1';
self.addEventListener('install', (e) => { self.skipWaiting(); });
self.addEventListener('activate', (e) => { e.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  e.respondWith(
    fetch(req).then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
      return res;
    }).catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit ||
      (req.mode === 'navigate' ? caches.match('./') : Response.error())))
  );
});
