/* PUX Puls service worker: the app shell works offline; API answers are never cached.
 *
 * Lifecycle: one VERSION names the cache. `install` awaits the precache of every shell file (a
 * partly cached shell must not activate). A new version then *waits*: the page offers "update
 * available" and sends SKIP_WAITING only when the member accepts, so old pages never run against new
 * files. `activate` deletes the caches of older versions. A test checks SHELL against frontend/.
 * The server appends a hash of the shell's files to VERSION (backend/frontend.py), so any changed
 * file makes a new version; bump the date part for changes people should notice in the notes.
 * Type-checked on its own (tsconfig.sw.json: the WebWorker library, not the DOM).
 */

/// <reference lib="webworker" />

// `self` is typed for any worker; this file only ever runs as the service worker.
const worker = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Background Sync's event; TypeScript's WebWorker library does not describe it (not in every browser).
 * @typedef {ExtendableEvent & {tag: string}} SyncEvent */

const VERSION = '2026-11-26.1';
const CACHE = `pux-shell-${VERSION}`;
const SHELL = [
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/js/api.js',
  '/js/dom.js',
  '/js/forms.js',
  '/js/i18n.js',
  '/js/idb.js',
  '/js/main.js',
  '/js/messages.js',
  '/js/outbox.js',
  '/js/pux.js',
  '/js/router.js',
  '/js/routes.js',
  '/js/session.js',
  '/js/workdates.js',
  '/js/views/coordinator.js',
  '/js/views/followup.js',
  '/js/views/join.js',
  '/js/views/me.js',
  '/js/views/new-solution.js',
  '/js/views/solutions.js',
  '/js/views/today.js',
  '/locales/da.json',
  '/locales/en.json',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
];
// Paths the server answers itself; every other navigation is an in-app route served by the shell.
const SERVER_PATHS = ['/api/', '/docs', '/healthz', '/vendor/'];

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith('pux-shell-') && name !== CACHE).map((name) => caches.delete(name)));
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('message', (event) => {
  // waitUntil keeps the worker alive until it has taken over (the page reloads on controllerchange).
  if (event.data && event.data.type === 'SKIP_WAITING') event.waitUntil(worker.skipWaiting());
});

// Background Sync: the connection is back; an open page owns the outbox and flushes it.
worker.addEventListener('sync', (e) => {
  const event = /** @type {SyncEvent} */ (e);
  if (event.tag !== 'outbox') return;
  event.waitUntil(
    worker.clients.matchAll({ type: 'window' }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'FLUSH_OUTBOX' });
    }),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (SERVER_PATHS.some((prefix) => url.pathname.startsWith(prefix))) return; // network only, never cached

  if (request.mode === 'navigate') {
    // Cache first: the shell opens instantly and offline; a new VERSION brings new files.
    event.respondWith(caches.match('/index.html', { cacheName: CACHE }).then((shell) => shell || fetch(request)));
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE, ignoreSearch: true }).then((cached) => cached || fetch(request)),
  );
});
