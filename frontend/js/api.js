/** The HTTP client for /api/v1: one function per endpoint, errors as ApiError / NetworkError. */

import { coordinatorToken, memberToken } from './session.js';

const BASE = '/api/v1';

/** An answer from the server that is not 2xx; `error` is the server's class name, e.g. WorkDateOutsideWindow. */
export class ApiError extends Error {
  /** @param {number} status @param {string} error @param {string} detail @param {any} [body] the whole answer */
  constructor(status, error, detail, body = null) {
    super(`${status} ${error}: ${detail}`);
    this.status = status;
    this.error = error;
    this.detail = detail;
    this.body = body;
  }

  /** 4xx other than timeouts and rate limits: sending the same request again will not help. */
  get permanent() {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

/** No answer at all (offline, DNS, connection reset). */
export class NetworkError extends Error {}

/** @typedef {'yes' | 'partly' | 'no' | 'not_relevant'} Used */
/** @typedef {{solution_id: number, used: Used}} SolutionMark */
/**
 * @typedef {Object} CheckinBody
 * @property {number | null} calm
 * @property {number | null} flow
 * @property {number | null} workload
 * @property {string | null} comment
 * @property {boolean} share_comment
 * @property {SolutionMark[]} solutions
 */
/** @typedef {CheckinBody & {work_date: string, etag?: string, created_at?: string, updated_at?: string}} Checkin */
/** @typedef {{id: number, title: string, perspective: string, details: string, situation_title: string | null}} ActiveSolution */
/**
 * @typedef {Object} Today
 * @property {string} work_date
 * @property {string} today
 * @property {{from: string, to: string}} window
 * @property {{date: string, work_date?: string, rated: boolean, holiday?: string | null, working_day?: boolean}[]} dates
 * @property {ActiveSolution[]} solutions
 * @property {Checkin | null} checkin
 * @property {Checkin[]} [checkins]   my check-ins for every date of the window (newest first)
 * @property {number} [window_days]   the organisation's window: working days back from today
 * @property {number[]} [working_days]  the team's ISO weekdays
 * @property {{work_date: string, holiday: string}[]} [coming_holidays]  days off in the month after today
 */
/** @typedef {{id: number, display_name: string | null, locale?: string | null, joined_at: string, note?: string}} MemberInfo */
/** @typedef {{id: number, name: string}} TeamRef */
/**
 * @typedef {{member: MemberInfo, team: TeamRef & {working_days: number[]} & Record<string, unknown>,
 *            org: {timezone: string, anonymity_threshold?: number} & Record<string, unknown>}} Me
 */
/** @typedef {{team_name: string, org_name: string, expires_at: string, anonymity_threshold?: number}} InvitePreview */
/** @typedef {{code: string, join_url: string, expires_at: string}} Invite */
/** @typedef {{id: number, name: string}} Org */
/** @typedef {{id: number, name: string, org_id?: number, reminder_time?: string, working_days?: number[]}} Team */
/**
 * A member's reminder settings as they apply (the team's time and days where the member has none).
 * @typedef {Object} ReminderSettings
 * @property {boolean} enabled
 * @property {string} time                 HH:MM in the organisation's zone
 * @property {number[]} weekdays           ISO weekdays, Monday = 1
 * @property {boolean} skip_public_holidays
 * @property {string | null} paused_until  the last day without reminders
 * @property {boolean} follow_up
 * @property {boolean} [follows_team_time]
 * @property {boolean} [follows_team_weekdays]
 * @property {{time: string, weekdays: number[]}} [team]
 * @property {string} [follow_up_time]
 */
/** @typedef {Omit<ReminderSettings, 'time' | 'weekdays'> & {time: string | null, weekdays: number[] | null}} ReminderChanges */
/** @typedef {{endpoint: string, expirationTime: number | null, keys: {p256dh: string, auth: string}}} PushSubscriptionBody */
/** @typedef {{devices: number, delivered: number, removed: number, failed: number, problems: string[]}} TestResult */
/** @typedef {{url: string, webcal_url: string}} CalendarUrl */

// The team board: the PUX method's situations, solutions and follow-ups (pux.js has its rules).
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

/**
 * @param {string} path
 * @param {{method?: string, body?: unknown, form?: Record<string, string>, token?: string | null,
 *          headers?: Record<string, string>}} [options]
 * @returns {Promise<any>}
 */
export async function request(path, { method = 'GET', body, form, token, headers: extra } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...extra };
  if (token) headers.Authorization = `Bearer ${token}`;
  /** @type {BodyInit | undefined} */
  let payload;
  if (form) payload = new URLSearchParams(form);
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body: payload, cache: 'no-store' });
  } catch (error) {
    throw new NetworkError(String(error));
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, data?.error ?? 'HttpError', data?.detail ?? response.statusText, data);
  }
  return data;
}

const member = () => memberToken();
const coordinator = () => coordinatorToken();

// Staff
/** @param {string} code @returns {Promise<InvitePreview>} */
export const getInvite = (code) => request(`/invites/${encodeURIComponent(code)}`);
/** @param {string} code @param {string | null} displayName @returns {Promise<{token: string, member: MemberInfo, team: TeamRef}>} */
export const join = (code, displayName) =>
  request('/join', { method: 'POST', body: { code, display_name: displayName || null } });
/** @returns {Promise<Me>} */
export const getMe = () => request('/me', { token: member() });
/** @param {{display_name?: string | null, locale?: string}} changes @returns {Promise<Me>} */
export const patchMe = (changes) => request('/me', { method: 'PATCH', body: changes, token: member() });
export const deleteMe = () => request('/me', { method: 'DELETE', token: member() });
/** @param {string} [date] @returns {Promise<Today>} */
export const getToday = (date) => request(`/me/today${date ? `?date=${date}` : ''}`, { token: member() });
/**
 * `base`: the etag of the stored answer this one replaces (If-Match), null for "there is none"
 * (If-None-Match: *), undefined for no condition; a 412 StaleCheckIn carries the stored one.
 * @param {string} date @param {CheckinBody} body @param {string | null} [base] @returns {Promise<Checkin>}
 */
export const putCheckin = (date, body, base) =>
  request(`/me/checkins/${date}`, {
    method: 'PUT',
    body,
    token: member(),
    headers: base === undefined ? {} : base === null ? { 'If-None-Match': '*' } : { 'If-Match': base },
  });
/** @param {string} from @param {string} to @returns {Promise<Checkin[]>} */
export const listCheckins = (from, to) => request(`/me/checkins?from=${from}&to=${to}`, { token: member() });

// Reminders
/** @returns {Promise<{public_key: string}>} */
export const getPushPublicKey = () => request('/push/public-key');
/** @param {PushSubscriptionBody} subscription */
export const putPushSubscription = (subscription) =>
  request('/me/push-subscriptions', { method: 'PUT', body: subscription, token: member() });
/** @param {string} endpoint */
export const deletePushSubscription = (endpoint) =>
  request('/me/push-subscriptions', { method: 'DELETE', body: { endpoint }, token: member() });
/** @returns {Promise<TestResult>} */
export const sendTestPush = () => request('/me/push-subscriptions/test', { method: 'POST', token: member() });
/** @returns {Promise<ReminderSettings>} */
export const getReminder = () => request('/me/reminder', { token: member() });
/** @param {ReminderChanges} settings @returns {Promise<ReminderSettings>} */
export const putReminder = (settings) => request('/me/reminder', { method: 'PUT', body: settings, token: member() });
/** @returns {Promise<CalendarUrl>} */
export const getCalendarUrl = () => request('/me/calendar-url', { token: member() });
export const revokeCalendarUrl = () => request('/me/calendar-url', { method: 'DELETE', token: member() });

/** A file (export) fetched with a token, so the token never sits in a URL.
 * @param {string} path @param {string | null} token */
async function fetchFile(path, token) {
  let response;
  try {
    response = await fetch(BASE + path, { headers: { Authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new NetworkError(String(error));
  }
  if (!response.ok) throw new ApiError(response.status, 'HttpError', response.statusText);
  return response;
}

/** The member's export as a file (a Blob). */
export const exportMe = async () => (await fetchFile('/me/export', member())).blob();

// Coordinator
/** @param {string} email @param {string} password @returns {Promise<{access_token: string}>} */
export const login = (email, password) =>
  request('/auth/token', { method: 'POST', form: { username: email, password } });
export const logout = () => request('/auth/logout', { method: 'POST', token: coordinator() });
/** @returns {Promise<Org[]>} */
export const listOrgs = () => request('/orgs', { token: coordinator() });
/** @param {number} orgId @returns {Promise<Team[]>} */
export const listTeams = (orgId) => request(`/orgs/${orgId}/teams`, { token: coordinator() });
/** @param {number} orgId @param {string} name @returns {Promise<Team>} */
export const createTeam = (orgId, name) =>
  request(`/orgs/${orgId}/teams`, { method: 'POST', body: { name }, token: coordinator() });
/** @param {number} teamId @param {{name?: string, reminder_time?: string, working_days?: number[]}} changes @returns {Promise<Team>} */
export const patchTeam = (teamId, changes) =>
  request(`/teams/${teamId}`, { method: 'PATCH', body: changes, token: coordinator() });
/** @param {number} teamId @returns {Promise<Invite[]>} */
export const listInvites = (teamId) => request(`/teams/${teamId}/invites`, { token: coordinator() });
/** @param {number} teamId @returns {Promise<Invite>} */
export const createInvite = (teamId) =>
  request(`/teams/${teamId}/invites`, { method: 'POST', body: {}, token: coordinator() });
/** @param {number} teamId @param {string} code */
export const revokeInvite = (teamId, code) =>
  request(`/teams/${teamId}/invites/${encodeURIComponent(code)}`, { method: 'DELETE', token: coordinator() });
/** @param {number} teamId @returns {Promise<MemberInfo[]>} */
export const listMembers = (teamId) => request(`/teams/${teamId}/members`, { token: coordinator() });
/** @param {number} teamId @param {string} code  takes back a revocation (the undo of revokeInvite) @returns {Promise<Invite>} */
export const restoreInvite = (teamId, code) =>
  request(`/teams/${teamId}/invites/${encodeURIComponent(code)}/restore`, { method: 'POST', token: coordinator() });
/** @param {number} teamId @param {number} memberId */
export const removeMember = (teamId, memberId) =>
  request(`/teams/${teamId}/members/${memberId}`, { method: 'DELETE', token: coordinator() });
/** The coordinator's own note on a member (to tell two with one name apart).
 * @param {number} teamId @param {number} memberId @param {string} note @returns {Promise<MemberInfo>} */
export const setMemberNote = (teamId, memberId, note) =>
  request(`/teams/${teamId}/members/${memberId}`, { method: 'PATCH', body: { note }, token: coordinator() });

// Team board (a member of the team, or a coordinator)
/** @param {number} team @returns {Promise<Situation[]>} */
export const listSituations = (team) => request(`/teams/${team}/situations`, { token: member() });
/** @param {number} team @returns {Promise<Solution[]>} */
export const listSolutions = (team) => request(`/teams/${team}/solutions`, { token: member() });
/** @param {number} team @param {{title: string, when?: string, description?: string}} body @returns {Promise<Situation>} */
export const createSituation = (team, body) =>
  request(`/teams/${team}/situations`, { method: 'POST', body, token: member() });
/** @param {number} id @param {Partial<Situation>} changes @returns {Promise<Situation>} */
export const updateSituation = (id, changes) =>
  request(`/situations/${id}`, { method: 'PATCH', body: changes, token: member() });
/**
 * @param {number} team
 * @param {{perspective: Perspective, title: string, details?: string, situation_id?: number | null,
 *          status?: 'proposed' | 'trial', review_date?: string | null}} body
 * @returns {Promise<Solution>}
 */
export const createSolution = (team, body) =>
  request(`/teams/${team}/solutions`, { method: 'POST', body, token: member() });
/** @param {number} id @param {Partial<Solution>} changes @returns {Promise<Solution>} */
export const updateSolution = (id, changes) =>
  request(`/solutions/${id}`, { method: 'PATCH', body: changes, token: member() });
/** The path an evaluation is posted to (sent through the outbox, which uses `request`). @param {number} solutionId */
export const evaluationsPath = (solutionId) => `/solutions/${solutionId}/evaluations`;

// Insights: every figure is a sum of shown team × week cells (the shapes: insights.js).
/** `?from=…` for a range (the server snaps it to whole closed weeks). @param {string | undefined} from */
const since = (from) => (from ? `?from=${from}` : '');
/** The team's summary (the comments shared with the team included). @param {number} teamId @param {string} [from] @returns {Promise<import('./insights.js').TeamSummary>} */
export const getTeamSummary = (teamId, from) => request(`/teams/${teamId}/summary${since(from)}`, { token: member() });
/** @param {number} orgId @param {string} [from] @returns {Promise<import('./insights.js').OrgTrends>} */
export const getTrends = (orgId, from) => request(`/orgs/${orgId}/trends${since(from)}`, { token: coordinator() });
/** @param {number} orgId @returns {Promise<import('./insights.js').OrgSolutionEffects>} */
export const getSolutionEffects = (orgId) => request(`/orgs/${orgId}/solution-effects`, { token: coordinator() });

/** An organisation's export (csv, xlsx) and its file name.
 * @param {number} orgId @param {'csv' | 'xlsx'} format @param {{from?: string, lang?: string}} [options] */
export async function exportOrg(orgId, format, { from = '', lang = '' } = {}) {
  const query = new URLSearchParams(Object.entries({ from, lang }).filter(([, value]) => value));
  const response = await fetchFile(`/orgs/${orgId}/export.${format}?${query}`, coordinator());
  const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1];
  return { blob: await response.blob(), name: name ?? `pux-puls.${format}` };
}
