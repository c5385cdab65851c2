/** The life cycle every screen shares, written once: load the screen's data; on 401 forget who was
 * signed in and go where they sign in again (saying why); on any other failure show the screen's
 * heading, what went wrong in the message area and a way to try again; offline notices that leave
 * when the connection is back and the outbox has sent what waited. */

import { ApiError } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { describeError } from './messages.js';
import { forgetMember } from './session.js';

/** Event on `document` once the connection is back and the outbox has nothing left waiting. */
export const RECONNECTED = 'pux:reconnected';

/** @typedef {import('./router.js').Context} Context */

/** A screen's first heading: where focus goes after a navigation (main.js). @param {...import('./dom.js').Child} text */
export const heading = (...text) => h('h1', { tabindex: '-1' }, ...text);

/** A signed-out member: off this device, to Join, told why. @param {Context} ctx */
async function memberSignedOut(ctx) {
  await forgetMember();
  ctx.navigate('/join', { replace: true });
  // After navigating: the message area is cleared on navigation, and this is for the next screen.
  ctx.announce(t('error.unauthorized'), 'error');
}

/**
 * Runs a screen's load. Returns its data, or null when the screen has been handled (signed out,
 * or the failure is shown): the caller then returns.
 * @template T
 * @param {HTMLElement} root @param {Context} ctx
 * @param {{title: string, load: () => Promise<T>, signedOut?: (ctx: Context) => Promise<void>}} spec
 * @returns {Promise<T | null>}
 */
export async function loadView(root, ctx, { title, load, signedOut = memberSignedOut }) {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      await signedOut(ctx);
      return null;
    }
    root.replaceChildren(
      heading(title),
      h('button', { type: 'button', on: { click: () => ctx.refresh() } }, t('common.retry')),
    );
    ctx.announce(describeError(error), 'error');
    return null;
  }
}

/** A notice that the screen shows the copy kept on the device; it goes once the connection is back
 * (main.js removes every `[data-offline]` on RECONNECTED). @param {string} text */
export const offlineNotice = (text) => h('p', { class: 'notice', 'data-offline': '', text });

/** Calls `fn` once the connection is back; returns the clean-up for the view. @param {() => void} fn */
export function onReconnect(fn) {
  document.addEventListener(RECONNECTED, fn);
  return () => document.removeEventListener(RECONNECTED, fn);
}

/**
 * Asks before something that is hard to take back (a modal dialog; Escape or "Fortryd" keeps
 * things as they were). Resolves true when confirmed.
 * @param {{title: string, text: string, confirm: string}} spec
 * @returns {Promise<boolean>}
 */
export function confirmAction({ title, text, confirm }) {
  const yes = h('button', { type: 'button', class: 'danger' }, confirm);
  const no = h('button', { type: 'button' }, t('common.cancel'));
  const titleId = `confirm-title-${Date.now()}`;
  const dialog = h(
    'dialog',
    { 'aria-labelledby': titleId, class: 'confirm' },
    h('h2', { id: titleId, text: title }),
    h('p', { text }),
    h('div', { class: 'row' }, no, yes),
  );
  const opener = /** @type {HTMLElement | null} */ (document.activeElement);
  document.body.append(dialog);
  return new Promise((resolve) => {
    /** @param {boolean} answer */
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(answer);
    };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    dialog.showModal();
    no.focus(); // the safe choice is the one under Enter
  });
}
