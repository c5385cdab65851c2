/** Who is using this device: the member token (staff) and the coordinator token, kept in IndexedDB. */

import { clearMemberData, deleteValue, getValue, setValue } from './idb.js';

const MEMBER = 'member_token';
const COORDINATOR = 'coordinator_token';
/** Member data cached for offline use; erased with the member. */
export const MEMBER_CACHE_KEYS = [MEMBER, 'today', 'me', 'team_board'];

/** @type {{member: string | null, coordinator: string | null}} */
const tokens = { member: null, coordinator: null };

export async function loadSession() {
  tokens.member = (await getValue(MEMBER)) ?? null;
  tokens.coordinator = (await getValue(COORDINATOR)) ?? null;
}

export function memberToken() {
  return tokens.member;
}

export function coordinatorToken() {
  return tokens.coordinator;
}

/** @param {string} token */
export async function setMemberToken(token) {
  tokens.member = token;
  await setValue(MEMBER, token);
}

/** @param {string | null} token */
export async function setCoordinatorToken(token) {
  tokens.coordinator = token;
  if (token) await setValue(COORDINATOR, token);
  else await deleteValue(COORDINATOR);
}

/** Forgets the member on this device: token, cached data and any queued check-ins. */
export async function forgetMember() {
  tokens.member = null;
  await clearMemberData(MEMBER_CACHE_KEYS);
}
