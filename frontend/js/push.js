/** This device's Web Push subscription: whether it can have one, turning it on (the browser asks
 * for permission only then) and off, and keeping the server's copy current. */

import { deletePushSubscription, getPushPublicKey, putPushSubscription } from './api.js';

/**
 * What this device can do about notifications:
 * 'ready' (can subscribe), 'install' (iPhone/iPad Safari outside the Home Screen: iOS gives web
 * notifications only to apps added there), 'unsupported', 'denied' (turned off in the settings).
 * @typedef {'ready' | 'install' | 'unsupported' | 'denied'} PushSupport
 */

/** iPhone, iPad (also the iPad that says it is a Mac) and iPod. */
export function isIos() {
  const ua = navigator.userAgent;
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

/** Opened from the Home Screen (or installed elsewhere): the app runs standalone. */
export function isStandalone() {
  const nav = /** @type {Navigator & {standalone?: boolean}} */ (navigator);
  return nav.standalone === true || matchMedia('(display-mode: standalone)').matches;
}

/** @returns {PushSupport} */
export function pushSupport() {
  if (isIos() && !isStandalone()) return 'install';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return 'unsupported';
  }
  return Notification.permission === 'denied' ? 'denied' : 'ready';
}

/** @param {string} base64url @returns {Uint8Array<ArrayBuffer>} */
function bytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i);
  return out;
}

/** @param {ArrayBuffer | null} buffer */
function base64url(buffer) {
  if (!buffer) return '';
  return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The service worker's registration. Never `serviceWorker.ready` on its own: that waits forever
 * while main.js has not registered the worker yet (a first visit to Me), and the screen with it. */
async function registration() {
  if (!(await navigator.serviceWorker.getRegistration())) throw new Error('no service worker yet');
  return navigator.serviceWorker.ready;
}

/** What the server stores: exactly the fields of PushSubscription.toJSON() it knows.
 * @param {PushSubscription} subscription @returns {import('./api.js').PushSubscriptionBody} */
function body(subscription) {
  const json = subscription.toJSON();
  return {
    endpoint: subscription.endpoint,
    expirationTime: json.expirationTime ?? null,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
  };
}

/** This device's subscription, if it has one. @returns {Promise<PushSubscription | null>} */
export async function currentSubscription() {
  if (pushSupport() !== 'ready' || Notification.permission !== 'granted') return null;
  const found = await navigator.serviceWorker.getRegistration();
  return found ? found.pushManager.getSubscription() : null;
}

/**
 * Asks for permission (this must run from the member's tap), subscribes with the server's key and
 * stores the subscription on the server. Resolves to 'on', or 'denied' when the member said no.
 * @returns {Promise<'on' | 'denied'>}
 */
export async function enablePush() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const { public_key: key } = await getPushPublicKey();
  const pushManager = (await registration()).pushManager;
  const subscription =
    (await pushManager.getSubscription()) ??
    (await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(key) }));
  await putPushSubscription(body(subscription));
  return 'on';
}

/** Stops pushes to this device: on the server first, then in the browser. */
export async function disablePush() {
  const subscription = await currentSubscription();
  if (!subscription) return;
  await deletePushSubscription(subscription.endpoint);
  await subscription.unsubscribe();
}

/**
 * On start: the server keeps this device's subscription current (a browser may renew it), and a
 * subscription made with a key the server no longer has (the key was rotated) is made again.
 * Quiet: nothing here may stand in the way of the app starting.
 */
export async function syncPush() {
  const subscription = await currentSubscription();
  if (!subscription) return;
  const { public_key: key } = await getPushPublicKey();
  if (base64url(subscription.options.applicationServerKey) !== key) {
    await deletePushSubscription(subscription.endpoint).catch(() => {});
    await subscription.unsubscribe();
    const fresh = await (await registration()).pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(key) });
    await putPushSubscription(body(fresh));
    return;
  }
  await putPushSubscription(body(subscription));
}
