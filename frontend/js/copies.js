/** What the device keeps for offline use, and the one rule for reading it: the server first; with
 * no connection at all, the last copy kept (an answer from the server, even an error, is never
 * replaced by a copy — a 401 must sign the member out, not show old data). */

import { ApiError, getMe, getToday, listSituations, listSolutions } from './api.js';
import { getValue, setValue } from './idb.js';
import { localNow } from './workdates.js';

/**
 * @template T
 * @param {string} key   the IndexedDB key of the copy (session.js MEMBER_CACHE_KEYS erases it)
 * @param {() => Promise<T>} fetch
 * @returns {Promise<{value: T, offline: boolean}>}  offline: the value is the kept copy
 */
export async function serverOrCopy(key, fetch) {
  try {
    const value = await fetch();
    await setValue(key, value);
    return { value, offline: false };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    /** @type {T | undefined} */
    const copy = await getValue(key);
    if (copy === undefined) throw error;
    return { value: copy, offline: true };
  }
}

/** The member's profile, team and organisation. */
export const loadMe = () => serverOrCopy('me', getMe);

/**
 * The team's situations and solutions.
 * @returns {Promise<{board: import('./api.js').TeamBoard, offline: boolean}>}
 */
export async function loadBoard() {
  const { value, offline } = await serverOrCopy('team_board', async () => {
    const team = (await loadMe()).value.team.id;
    const [situations, solutions] = await Promise.all([listSituations(team), listSolutions(team)]);
    return { team_id: team, situations, solutions };
  });
  return { board: value, offline };
}

/** Today in the organisation's time zone, as the server says (so "not in the future" agrees with
 * it); offline, the day of Today's copy, or this device's date in that zone when it is later (the
 * copy is then days old). @returns {Promise<string>} */
export async function orgToday() {
  try {
    return (await getToday()).today;
  } catch {
    /** @type {[import('./api.js').Today | undefined, import('./api.js').Me | undefined]} */
    const [copy, me] = await Promise.all([getValue('today'), getValue('me')]);
    const device = localNow(me?.org.timezone).date;
    return copy?.today && copy.today > device ? copy.today : device;
  }
}
