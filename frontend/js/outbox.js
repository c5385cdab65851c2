/** The offline outbox: check-ins wait in IndexedDB until the server has them; each shows its state.
 *
 * One item per work date (id `checkin:<date>`): a newer check-in for the same date replaces the
 * queued one. The server's PUT by date is idempotent, so sending an item twice (a retry after a lost
 * answer, two tabs flushing) never makes two check-ins. Each check-in carries the etag of the stored
 * answer it replaces (`base`, sent as If-Match; null: "there is none", If-None-Match: *), so an answer
 * made on an old copy never overwrites a newer one: the server answers 412 StaleCheckIn with the
 * stored answer (`current`), and Today shows both and lets the member choose. A 4xx is final and
 * shown to the member, the rest of the queue goes on; a 5xx or no answer is retried with back-off. Items survive closing the app. A sent check-in stays (out
 * of sight) until Today has stored a copy from the server that knows it, so Today offline still shows
 * that day as rated; a sent follow-up goes at the next start.
 */

import { ApiError, putCheckin, request } from './api.js';
import { allItems, deleteItem, putItem } from './idb.js';
import { memberToken } from './session.js';

/** Event on `document` when a queued check-in has been sent in the background; detail: its date. */
export const CHECKIN_SENT = 'pux:checkin-sent';

/** @typedef {'queued' | 'sending' | 'sent' | 'failed'} ItemState */
/**
 * @typedef {Object} OutboxItem
 * @property {string} id
 * @property {string} date
 * @property {import('./api.js').CheckinBody} body
 * @property {ItemState} state
 * @property {number} attempts
 * @property {number} next_at    epoch ms before which no retry is made
 * @property {string | null} error    the server's error name when failed
 * @property {string | null} detail
 * @property {string | null} [base]   the etag of the answer this check-in replaces; null: none is
 *   stored; absent (an item queued before etags): sent without a condition
 * @property {import('./api.js').Checkin} [stored]  what the server stored, once sent (its etag is the
 *   base of the next edit made before Today's copy knows it)
 * @property {import('./api.js').Checkin | null} [current]  with error StaleCheckIn: the stored answer
 *   it was refused against (null: there is none any more)
 * @property {{method: string, path: string, title: string}} [request]  set for an item that is not a
 *   check-in (a follow-up evaluation): `body` is then sent as `method path`; the body carries a
 *   client_id, so the server stores a retried request once
 */

const BASE_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;

/** Back-off before retry n (1, 2, …): 2 s, 4 s, 8 s … capped at 5 min, with jitter so devices spread out. */
export function retryDelay(/** @type {number} */ attempts) {
  const delay = Math.min(BASE_DELAY_MS * 2 ** (attempts - 1), MAX_DELAY_MS);
  return delay / 2 + Math.random() * (delay / 2);
}

/**
 * @param {{onChange: (items: OutboxItem[]) => void, onFlushed?: (item: OutboxItem) => void,
 *          onBackground?: () => void}} hooks  onFlushed: an item sent in the background was
 *          delivered or rejected; onBackground: an item waits for the connection.
 */
export function createOutbox({ onChange, onFlushed = () => {}, onBackground = () => {} }) {
  /** @type {Map<string, OutboxItem>} */
  const items = new Map();
  /** @type {Promise<void> | null} */
  let flushing = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Set<(item: OutboxItem) => void>} */
  const watchers = new Set();

  const list = () => [...items.values()].sort((a, b) => a.date.localeCompare(b.date));
  const changed = () => onChange(list());

  /** @param {OutboxItem} item */
  async function save(item) {
    items.set(item.id, item);
    await putItem(item);
    changed();
    for (const watcher of watchers) watcher(item);
  }

  /** Loads what a previous run left behind; sent follow-ups are done and go. */
  async function load() {
    for (const item of /** @type {OutboxItem[]} */ (await allItems())) {
      if (item.state === 'sent' && item.request) {
        await deleteItem(item.id);
        continue;
      }
      // 'sending' means the app closed mid-request: the PUT is idempotent, so send it again.
      if (item.state === 'sending') item.state = 'queued';
      items.set(item.id, item);
    }
    changed();
  }

  /** @param {OutboxItem} item */
  async function send(item) {
    await save({ ...item, state: 'sending' });
    try {
      if (item.request) {
        await request(item.request.path, { method: item.request.method, body: item.body, token: memberToken() });
        const sent = { ...item, state: /** @type {ItemState} */ ('sent'), error: null, detail: null };
        await save(sent);
        return sent;
      }
      const stored = await putCheckin(item.date, item.body, item.base);
      const sent = { ...item, state: /** @type {ItemState} */ ('sent'), error: null, detail: null, stored };
      await save(sent);
      return sent;
    } catch (error) {
      if (error instanceof ApiError && error.permanent) {
        /** @type {OutboxItem} */
        const failed = { ...item, state: 'failed', error: error.error, detail: error.detail };
        if (error.status === 412) failed.current = error.body?.current ?? null;
        await save(failed);
        return failed;
      }
      const attempts = item.attempts + 1;
      const queued = { ...item, state: /** @type {ItemState} */ ('queued'), attempts, next_at: Date.now() + retryDelay(attempts) };
      await save(queued);
      return queued;
    }
  }

  function scheduleRetry() {
    clearTimeout(timer);
    const waiting = list().filter((i) => i.state === 'queued');
    if (waiting.length === 0) return;
    const next = Math.min(...waiting.map((i) => i.next_at));
    timer = setTimeout(() => void flush(), Math.max(0, next - Date.now()));
  }

  /** @param {boolean} force */
  async function sendDue(force) {
    try {
      for (const item of list()) {
        if (item.state !== 'queued') continue;
        if (!force && item.next_at > Date.now()) continue;
        if (!navigator.onLine) break;
        const result = await send(item);
        if (result.state !== 'queued') onFlushed(result);
      }
    } finally {
      flushing = null;
      scheduleRetry();
    }
  }

  /**
   * Sends every queued item that is due (all of them when `force`, e.g. the connection came back).
   * One flush at a time; a second call gets the running one. (The run starts on a later tick, so
   * `flushing` is set before it can finish and clear it.)
   */
  function flush(force = false) {
    if (!flushing) flushing = Promise.resolve().then(() => sendDue(force));
    return flushing;
  }

  /**
   * Queues a check-in and tries to send it at once. Resolves with the item's state afterwards:
   * 'sent', 'failed' (a 4xx, with the error) or 'queued' (offline or server trouble; sent later).
   * @param {string} date
   * @param {import('./api.js').CheckinBody} body
   * @param {string | null | undefined} base  the etag of the stored answer this replaces (null: none)
   * @returns {Promise<OutboxItem>}
   */
  async function submit(date, body, base) {
    return enqueue({ id: `checkin:${date}`, date, body, base, state: 'queued', attempts: 0, next_at: 0, error: null, detail: null });
  }

  /** Stores a new item (replacing one with the same id) and tries to send it at once. @param {OutboxItem} item */
  async function enqueue(item) {
    if (flushing) await flushing;
    await save(item);
    if (!navigator.onLine) {
      onBackground();
      return item;
    }
    const result = await send(item);
    if (result.state === 'queued') {
      onBackground();
      scheduleRetry();
    }
    return result;
  }

  /**
   * Queues another API request (a follow-up evaluation) and tries to send it at once; the same
   * states and retries as a check-in. `id` must be unique per request (e.g. `evaluation:<client_id>`).
   * @param {{id: string, date: string, method: string, path: string, title: string, body: object}} spec
   * @returns {Promise<OutboxItem>}
   */
  async function submitRequest({ id, date, method, path, title, body }) {
    return enqueue({
      id, date, body: /** @type {any} */ (body), request: { method, path, title },
      state: 'queued', attempts: 0, next_at: 0, error: null, detail: null,
    });
  }

  /** @param {string} id */
  async function discard(id) {
    items.delete(id);
    await deleteItem(id);
    changed();
  }

  /**
   * Drops sent check-ins that Today's copy from the server now knows (`known(date)`).
   * @param {(date: string) => boolean} known
   */
  async function forgetSent(known) {
    const done = list().filter((item) => item.state === 'sent' && !item.request && known(item.date));
    if (done.length === 0) return;
    for (const item of done) {
      items.delete(item.id);
      await deleteItem(item.id);
    }
    changed();
  }

  /** @param {string} date @returns {OutboxItem | undefined} */
  const forDate = (date) => items.get(`checkin:${date}`);

  /**
   * Calls `watcher` with every item saved from now on (e.g. Today, when the day it shows is refused
   * in the background); returns the function that stops it.
   * @param {(item: OutboxItem) => void} watcher
   */
  function watch(watcher) {
    watchers.add(watcher);
    return () => watchers.delete(watcher);
  }

  return { load, flush, submit, submitRequest, discard, forgetSent, forDate, watch, items: list };
}

/** @typedef {ReturnType<typeof createOutbox>} Outbox */
