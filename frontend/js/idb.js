/** The only module that touches IndexedDB: a key-value store (tokens, settings, cached data) and the outbox. */

const DB_NAME = 'pux-puls';
const DB_VERSION = 1;
const KV = 'kv';
const OUTBOX = 'outbox';

/** @type {Promise<IDBDatabase> | null} */
let opening = null;

/** @returns {Promise<IDBDatabase>} */
function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'id' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

/**
 * Runs one request in its own transaction and resolves when the transaction has committed,
 * so a caller that awaits a write knows it is on disk (nothing is lost if the app closes).
 * @template T
 * @param {string} store
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} operation
 * @returns {Promise<T>}
 */
async function run(store, mode, operation) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = operation(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** @param {string} key @returns {Promise<any>} */
export function getValue(key) {
  return run(KV, 'readonly', (s) => s.get(key));
}

/** @param {string} key @param {unknown} value */
export async function setValue(key, value) {
  await run(KV, 'readwrite', (s) => s.put(value, key));
}

/** @param {string} key */
export async function deleteValue(key) {
  await run(KV, 'readwrite', (s) => s.delete(key));
}

/** @param {{id: string}} item */
export async function putItem(item) {
  await run(OUTBOX, 'readwrite', (s) => s.put(item));
}

/** @returns {Promise<any[]>} */
export function allItems() {
  return run(OUTBOX, 'readonly', (s) => s.getAll());
}

/** @param {string} id */
export async function deleteItem(id) {
  await run(OUTBOX, 'readwrite', (s) => s.delete(id));
}

/** @param {string[]} keys the kv keys to remove along with the whole outbox */
export async function clearMemberData(keys) {
  const db = await open();
  await new Promise((resolve, reject) => {
    const tx = db.transaction([KV, OUTBOX], 'readwrite');
    for (const key of keys) tx.objectStore(KV).delete(key);
    tx.objectStore(OUTBOX).clear();
    tx.oncomplete = () => resolve(undefined);
    tx.onerror = () => reject(tx.error);
  });
}
