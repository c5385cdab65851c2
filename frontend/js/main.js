/** Starts the app: the only module with side effects (listeners, service worker, first render). */

import { h } from './dom.js';
import { getValue } from './idb.js';
import { DEFAULT_LOCALE, formatDate, isLocale, setLocale, t, translateDom } from './i18n.js';
import { errorText } from './messages.js';
import { CHECKIN_SENT, createOutbox } from './outbox.js';
import { createRouter } from './router.js';
import { routes } from './routes.js';
import { loadSession, memberToken } from './session.js';
import { RECONNECTED } from './view.js';

const INFO_MS = 8000;

/** What the outbox panel says of an item; a sent item is not shown (the status line says it went). */
const STATE_LABELS = {
  queued: 'outbox.state.queued',
  sending: 'outbox.state.sending',
  failed: 'outbox.state.failed',
};

/** @param {string} id @returns {HTMLElement} */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el;
}

/**
 * The one message area of every screen: a live region in the page's flow at the bottom of the
 * window (index.html), so it never lies over a control; it is emptied on every navigation.
 * Errors are announced assertively and stay until the next navigation or message; other messages
 * go after INFO_MS. The same words twice are announced twice (a second "Tak — gemt").
 * @param {HTMLElement} region
 */
function makeMessages(region) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  // The control last used: a button disabled while it works has lost focus by the time its
  // message comes, and it is the one to keep in sight.
  /** @type {Element | null} */
  let lastUsed = null;
  document.addEventListener('focusin', (event) => { lastUsed = /** @type {Element} */ (event.target); });
  let shown = 0;
  const clear = () => {
    clearTimeout(timer);
    shown += 1;
    region.textContent = '';
    delete region.dataset.kind;
  };
  /** @type {import('./router.js').Context['announce']} */
  const announce = (message, kind = 'info') => {
    const same = region.textContent === message;
    clear();
    const mine = shown;
    const show = () => {
      if (mine !== shown) return;
      region.dataset.kind = kind;
      region.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
      region.textContent = message;
      // The area takes its room from the scrolling page: the control just used stays in sight.
      const used = document.activeElement && document.activeElement !== document.body ? document.activeElement : lastUsed;
      // (scrollIntoView lays the page out first, so the area's new height is already counted.)
      if (used?.isConnected) used.scrollIntoView({ block: 'nearest' });
      if (kind === 'info') timer = setTimeout(() => { if (mine === shown) clear(); }, INFO_MS);
    };
    if (same) setTimeout(show, 50);
    else show();
  };
  return { announce, clear };
}

/**
 * @param {HTMLElement} section
 * @param {HTMLElement} list
 * @param {import('./outbox.js').Outbox} outbox
 * @param {import('./outbox.js').OutboxItem[]} items
 */
function renderOutbox(section, list, outbox, items) {
  // Only what still waits or was refused: the panel is gone once everything has been sent (a
  // member who is always online never sees it); a refused item stays until it is dismissed.
  const rows = items.flatMap((item) => {
    const { state } = item;
    if (state === 'sent') return [];
    return h(
      'li',
      { class: `outbox-item is-${state}` },
      h('span', { class: 'outbox-date', text: item.request ? t('outbox.followup', { title: item.request.title }) : t('outbox.item', { date: formatDate(item.date) }) }),
      h('span', { class: 'outbox-state', text: t(STATE_LABELS[state]) }),
      state === 'failed' && h('span', { class: 'outbox-error', text: errorText(item.error, item.detail) }),
      state === 'failed' &&
        h('button', { type: 'button', class: 'button-small', on: { click: () => void outbox.discard(item.id) } }, t('outbox.discard')),
    );
  });
  section.hidden = rows.length === 0;
  list.replaceChildren(...rows);
}

/**
 * Registers the service worker. A new version waits until the member chooses to reload
 * (no silent skipWaiting under a running page, which could mix old and new files).
 * @param {(accept: () => void) => void} offerUpdate
 */
async function registerServiceWorker(offerUpdate) {
  if (!('serviceWorker' in navigator)) return null;
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  let accepted = false;
  /** @param {ServiceWorker} worker */
  const offer = (worker) => {
    if (!navigator.serviceWorker.controller) return; // first install: nothing old is running
    offerUpdate(() => {
      accepted = true;
      worker.postMessage({ type: 'SKIP_WAITING' });
    });
  };
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed') offer(worker);
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (accepted) location.reload();
  });
  return registration;
}

async function start() {
  const main = byId('main');
  const nav = byId('nav');
  const messages = makeMessages(byId('status'));
  const { announce } = messages;
  const updateBar = byId('update');

  // Start-up reads run side by side: the first screen waits for the slowest, not for their sum.
  const [, saved] = await Promise.all([loadSession(), getValue('locale')]);
  const localeLoaded = setLocale(isLocale(saved) ? saved : DEFAULT_LOCALE);

  /** @type {ServiceWorkerRegistration | null} */
  let registration = null;
  const outbox = createOutbox({
    onChange: (items) => renderOutbox(byId('outbox'), byId('outbox-list'), outbox, items),
    onFlushed: (item) => {
      announce(
        item.state === 'sent'
          ? item.request
            ? t('outbox.followup_sent_later', { title: item.request.title })
            : t('outbox.sent_later', { date: formatDate(item.date) })
          : errorText(item.error, item.detail),
        item.state === 'sent' ? 'info' : 'error',
      );
      // A screen showing that day (Today's date chips) can mark it rated without redrawing.
      if (item.state === 'sent' && !item.request) {
        document.dispatchEvent(new CustomEvent(CHECKIN_SENT, { detail: item.date }));
      }
    },
    // Background Sync (where the browser has it) wakes the service worker when the connection is
    // back, even with the app closed; the worker then asks an open page to flush.
    onBackground: () => {
      const sync = /** @type {any} */ (registration)?.sync;
      sync?.register('outbox').catch(() => {});
    },
  });
  await Promise.all([localeLoaded, outbox.load()]);
  translateDom(document);
  renderOutbox(byId('outbox'), byId('outbox-list'), outbox, outbox.items());

  /** @type {(() => void) | void} */
  let cleanup;
  let sequence = 0;
  let first = true;

  /** @type {import('./router.js').Context} */
  const context = {
    params: {},
    query: new URLSearchParams(),
    navigate: (path, options) => router.navigate(path, options),
    announce,
    clearMessage: messages.clear,
    outbox,
    refresh: () => {
      translateDom(document);
      void router.refresh();
    },
  };

  /**
   * The staff menu belongs to a joined member's screens: not on Join (not joined yet) nor in the
   * coordinator's area; an unknown path keeps it so a member finds the way back.
   * @param {string} path @param {{route: import('./router.js').Route} | null} match
   */
  function renderNav(path, match) {
    nav.hidden = !memberToken() || (match !== null && !match.route.member);
    nav.replaceChildren(
      ...routes
        .filter((route) => route.nav)
        .map((route) =>
          h('a', { href: route.path, 'aria-current': route.path === path ? 'page' : null }, t(route.nav ?? '')),
        ),
    );
  }

  const router = createRouter({
    routes,
    show: async (match, path) => {
      const mine = ++sequence;
      // Synchronously, before the first await: a message announced right after navigate() is
      // for the new screen and stays.
      messages.clear();
      if (match?.route.member && !memberToken()) {
        router.navigate('/join', { replace: true });
        return;
      }
      if (typeof cleanup === 'function') cleanup();
      cleanup = undefined;
      renderNav(path, match);
      if (!match) {
        document.title = `${t('notfound.title')} · PUX Puls`;
        main.replaceChildren(h('h1', { text: t('notfound.title') }), h('p', {}, h('a', { href: '/' }, t('notfound.home'))));
        return;
      }
      document.title = `${t(match.route.title)} · PUX Puls`;
      const view = await match.route.view();
      if (mine !== sequence) return;
      const root = h('div', { class: 'view' });
      main.replaceChildren(root);
      cleanup = await view.render(root, { ...context, params: match.params, query: new URLSearchParams(location.search) });
      // Move focus to the new screen's heading so screen readers hear where they are (not on first load).
      if (!first && mine === sequence) root.querySelector('h1')?.focus();
      first = false;
    },
  });

  // Back online: once the outbox has sent what waited, the screens' offline notices go.
  window.addEventListener('online', async () => {
    await outbox.flush(true);
    if (!navigator.onLine || outbox.items().some((item) => item.state === 'queued' || item.state === 'sending')) return;
    for (const notice of document.querySelectorAll('[data-offline]')) notice.remove();
    document.dispatchEvent(new CustomEvent(RECONNECTED));
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void outbox.flush(true);
  });
  // Background Sync fires as soon as the browser thinks it is online, also right after a 5xx:
  // that flush keeps each item's back-off (only 'online' and a returning member force a retry).
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'FLUSH_OUTBOX') void outbox.flush();
  });

  await router.start();
  void outbox.flush(true);
  registration = await registerServiceWorker((accept) => {
    updateBar.hidden = false;
    byId('update-button').addEventListener('click', accept, { once: true });
  }).catch(() => null);
  // A member's push subscription is kept current on the server (loaded after the first screen).
  if (memberToken()) import('./push.js').then((push) => push.syncPush()).catch(() => {});
}

void start();
