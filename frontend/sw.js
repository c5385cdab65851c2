/* PUX Puls service worker: the app shell works offline; API answers are never cached.
 *
 * Lifecycle: one VERSION names the cache. `install` awaits the precache of every shell file (a
 * partly cached shell must not activate). A new version then *waits*: the page offers "update
 * available" and sends SKIP_WAITING only when the member accepts, so old pages never run against new
 * files. `activate` deletes the caches of older versions. A test checks SHELL against frontend/.
 * The server appends a hash of the shell's files to VERSION (backend/frontend.py), so any changed
 * file makes a new version; bump the date part for changes people should notice in the notes.
 * Reminders arrive as Declarative Web Push messages ({web_push: 8030, notification: {...}}): Safari
 * shows those itself; elsewhere `push` shows them from here, also when no page of the app is open,
 * and `notificationclick` opens Today on the date the reminder names.
 * Type-checked on its own (tsconfig.sw.json: the WebWorker library, not the DOM).
 */

/// <reference lib="webworker" />

// `self` is typed for any worker; this file only ever runs as the service worker.
const worker = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Background Sync's event; TypeScript's WebWorker library does not describe it (not in every browser).
 * @typedef {ExtendableEvent & {tag: string}} SyncEvent */
/** Options of a persistent notification that TypeScript's WebWorker library leaves out.
 * @typedef {NotificationOptions & {actions?: {action: string, title: string}[], renotify?: boolean}} ShowOptions */
/** @typedef {{action: string, title: string, navigate: string}} PushAction */
/**
 * The notification member of a declarative push message, as the server sends it.
 * @typedef {Object} DeclarativeNotification
 * @property {string} title
 * @property {string} [body]
 * @property {string} navigate      absolute URL: Today on the date to rate
 * @property {string} [tag]
 * @property {string} [lang]
 * @property {string} [dir]
 * @property {boolean} [silent]
 * @property {string} [icon]
 * @property {string} [badge]
 * @property {PushAction[]} [actions]
 * @property {Record<string, unknown>} [data]
 */

const VERSION = '2026-12-01.1';
const CACHE = `pux-shell-${VERSION}`;
const SHELL = [
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/css/coordinator.css',
  '/css/insights.css',
  '/js/api.js',
  '/js/charts.js',
  '/js/coordinator-styles.js',
  '/js/copies.js',
  '/js/dom.js',
  '/js/forms.js',
  '/js/history-chart.js',
  '/js/i18n.js',
  '/js/idb.js',
  '/js/insights.js',
  '/js/main.js',
  '/js/messages.js',
  '/js/outbox.js',
  '/js/push.js',
  '/js/pux.js',
  '/js/qr.js',
  '/js/reminders.js',
  '/js/router.js',
  '/js/routes.js',
  '/js/session.js',
  '/js/team-reminder.js',
  '/js/view.js',
  '/js/workdates.js',
  '/js/views/coordinator.js',
  '/js/views/dashboard.js',
  '/js/views/followup-print.js',
  '/js/views/followup.js',
  '/js/views/join.js',
  '/js/views/me.js',
  '/js/views/new-solution.js',
  '/js/views/poster.js',
  '/js/views/solutions.js',
  '/js/views/team.js',
  '/js/views/today.js',
  '/locales/da.json',
  '/locales/en.json',
  '/icons/badge-96.png',
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

/** A URL of this app, or the start screen: a message never opens another site. @param {unknown} url */
function ownUrl(url) {
  try {
    const parsed = new URL(String(url), worker.location.origin);
    if (parsed.origin === worker.location.origin) return parsed.href;
  } catch {
    // not a URL at all
  }
  return new URL('/', worker.location.origin).href;
}

/** @param {PushMessageData | null} data @returns {DeclarativeNotification | null} */
function declarative(data) {
  try {
    const message = data?.json();
    const notification = message?.web_push === 8030 ? message.notification : null;
    return notification && typeof notification.title === 'string' ? notification : null;
  } catch {
    return null; // not JSON
  }
}

// A push must show a notification (the subscription promises userVisibleOnly); one that is not a
// reminder message still shows the app's name and opens the start screen.
worker.addEventListener('push', (event) => {
  const notification = declarative(event.data);
  const actions = notification?.actions ?? [];
  /** @type {ShowOptions} */
  const options = {
    body: notification?.body ?? '',
    tag: notification?.tag ?? 'pux-reminder',
    lang: notification?.lang,
    dir: notification?.dir === 'rtl' ? 'rtl' : notification?.dir === 'ltr' ? 'ltr' : 'auto',
    silent: notification?.silent === true,
    icon: notification?.icon ? ownUrl(notification.icon) : '/icons/icon-192.png',
    badge: notification?.badge ? ownUrl(notification.badge) : '/icons/badge-96.png',
    // The follow-up replaces the morning's notification (same tag) and should be heard again.
    renotify: true,
    // Shown where the platform has action buttons ("Tjek ind", "Senere"), ignored elsewhere.
    actions: actions.map(({ action, title }) => ({ action, title })),
    data: {
      ...(notification?.data ?? {}),
      navigate: ownUrl(notification?.navigate ?? '/'),
      actions: Object.fromEntries(actions.map(({ action, navigate }) => [action, ownUrl(navigate)])),
    },
  };
  event.waitUntil(worker.registration.showNotification(notification?.title ?? 'PUX Puls', options));
});

/** Focuses a window of the app on `url`, or opens one. @param {string} url */
async function openApp(url) {
  const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === worker.location.origin);
  if (open) {
    const focused = await open.focus().catch(() => open);
    if (focused.url === url) return;
    // navigate() works for pages this worker controls; any other page gets a window of its own.
    const moved = await focused.navigate(url).catch(() => null);
    if (moved) return;
  }
  await worker.clients.openWindow(url);
}

worker.addEventListener('notificationclick', (event) => {
  const { notification, action } = event;
  notification.close();
  if (action === 'later') return; // "Senere": the follow-up (or tomorrow's reminder) comes back
  const data = notification.data ?? {};
  const url = ownUrl((action && data.actions?.[action]) || data.navigate || '/');
  event.waitUntil(openApp(url));
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
