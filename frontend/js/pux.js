/** The PUX method on the client: perspectives and their guiding questions, solution statuses, the
 * team's situations and solutions (API calls and the copy kept on the device for offline use). */

import { ApiError, getMe, getToday, request } from './api.js';
import { getValue, setValue } from './idb.js';
import { memberToken } from './session.js';
import { localNow } from './workdates.js';

/** @typedef {'P' | 'U' | 'X'} Perspective */
/** @typedef {'proposed' | 'trial' | 'adopted' | 'dropped'} SolutionStatus */
/** @typedef {'open' | 'handled' | 'parked'} SituationStatus */
/**
 * @typedef {Object} Situation
 * @property {number} id
 * @property {number} team_id
 * @property {string} title
 * @property {string} when
 * @property {string} description
 * @property {SituationStatus} status
 */
/**
 * @typedef {Object} Solution
 * @property {number} id
 * @property {number} team_id
 * @property {number | null} situation_id
 * @property {Perspective} perspective
 * @property {string} title
 * @property {string} details
 * @property {SolutionStatus} status
 * @property {string | null} review_date
 * @property {{from_status: SolutionStatus | null, to_status: SolutionStatus, changed_at: string}[]} history
 */
/** @typedef {'less' | 'same' | 'more'} Effect */
/**
 * @typedef {Object} EvaluationBody
 * @property {string} client_id
 * @property {Effect | null} more_calm
 * @property {Effect | null} better_flow
 * @property {Effect | null} could_relax
 * @property {Effect | null} not_all_at_once
 * @property {string} negative_consequences
 * @property {'keep' | 'adjust' | 'drop'} decision
 * @property {string} meeting_date
 * @property {string} [title]
 * @property {string} [details]
 * @property {string | null} [review_date]
 */
/** @typedef {{team_id: number, situations: Situation[], solutions: Solution[]}} TeamBoard */

export const PERSPECTIVES = /** @type {const} */ (['P', 'U', 'X']);

/** Each perspective's name and guiding questions (PRODUCT.md §1: the tool's own Danish wording). */
export const GUIDES = {
  P: { name: 'perspective.P', questions: ['guide.P.q1', 'guide.P.q2'], hint: null },
  U: { name: 'perspective.U', questions: ['guide.U.q1', 'guide.U.q2', 'guide.U.q3'], hint: null },
  X: { name: 'perspective.X', questions: ['guide.X.q1'], hint: 'guide.X.hint' },
};

export const STATUS_LABELS = {
  proposed: 'status.proposed',
  trial: 'status.trial',
  adopted: 'status.adopted',
  dropped: 'status.dropped',
};

/** The status changes the server allows (backend/solutions/service.py TRANSITIONS), as actions. */
export const STATUS_ACTIONS = {
  proposed: [
    { to: 'trial', label: 'solutions.action.trial' },
    { to: 'dropped', label: 'solutions.action.drop' },
  ],
  trial: [
    { to: 'adopted', label: 'solutions.action.adopt' },
    { to: 'proposed', label: 'solutions.action.shelve' },
    { to: 'dropped', label: 'solutions.action.drop' },
  ],
  adopted: [{ to: 'dropped', label: 'solutions.action.drop' }],
  dropped: [{ to: 'proposed', label: 'solutions.action.revive' }],
};

const BOARD = 'team_board';
const token = () => memberToken();

/** The member's team id: from the server, else the copy kept by the Me screen. */
export async function teamId() {
  try {
    const me = await getMe();
    await setValue('me', me);
    return /** @type {number} */ (me.team.id);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const cached = await getValue('me');
    if (!cached) throw error;
    return /** @type {number} */ (cached.team.id);
  }
}

/**
 * The team's situations and solutions; offline, the last copy kept on the device.
 * @returns {Promise<{board: TeamBoard, offline: boolean}>}
 */
export async function loadBoard() {
  try {
    const team = await teamId();
    const [situations, solutions] = await Promise.all([
      request(`/teams/${team}/situations`, { token: token() }),
      request(`/teams/${team}/solutions`, { token: token() }),
    ]);
    /** @type {TeamBoard} */
    const board = { team_id: team, situations, solutions };
    await setValue(BOARD, board);
    return { board, offline: false };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    /** @type {TeamBoard | undefined} */
    const cached = await getValue(BOARD);
    if (!cached) throw error;
    return { board: cached, offline: true };
  }
}

/** @param {number} team @param {{title: string, when?: string, description?: string}} body @returns {Promise<Situation>} */
export const createSituation = (team, body) =>
  request(`/teams/${team}/situations`, { method: 'POST', body, token: token() });
/** @param {number} id @param {Partial<Situation>} changes @returns {Promise<Situation>} */
export const updateSituation = (id, changes) =>
  request(`/situations/${id}`, { method: 'PATCH', body: changes, token: token() });
/**
 * @param {number} team
 * @param {{perspective: Perspective, title: string, details?: string, situation_id?: number | null,
 *          status?: 'proposed' | 'trial', review_date?: string | null}} body
 * @returns {Promise<Solution>}
 */
export const createSolution = (team, body) =>
  request(`/teams/${team}/solutions`, { method: 'POST', body, token: token() });
/** @param {number} id @param {Partial<Solution>} changes @returns {Promise<Solution>} */
export const updateSolution = (id, changes) =>
  request(`/solutions/${id}`, { method: 'PATCH', body: changes, token: token() });
/** The path an evaluation is posted to (sent through the outbox). @param {number} solutionId */
export const evaluationsPath = (solutionId) => `/solutions/${solutionId}/evaluations`;

/** Today in the organisation's time zone, as the server says (so "not in the future" agrees with
 * it); offline, the day of Today's copy, or this device's date in that zone when it is later (the
 * copy is then days old). @returns {Promise<string>} */
export async function today() {
  try {
    return (await getToday()).today;
  } catch {
    /** @type {[import('./api.js').Today | undefined, import('./api.js').Me | undefined]} */
    const [copy, me] = await Promise.all([getValue('today'), getValue('me')]);
    const device = localNow(me?.org.timezone).date;
    return copy?.today && copy.today > device ? copy.today : device;
  }
}
