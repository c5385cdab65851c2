/** Words for what went wrong, from the server's error names (`{"error": "ClassName"}`): every name
 * the server can send has its words here (tests/test_error_words.py fails on one that has none),
 * so no English `detail` ever reaches a screen. Some names read differently to a coordinator (who
 * is not told to ask the coordinator). */

import { ApiError } from './api.js';
import { t } from './i18n.js';

/** @typedef {'member' | 'coordinator'} Reader */

/** @type {Record<string, string | {member: string, coordinator: string}>} */
const WORDS = {
  AppError: { member: 'error.unknown', coordinator: 'error.unknown_coordinator' },
  HTTPError: { member: 'error.unknown', coordinator: 'error.unknown_coordinator' },
  HttpError: { member: 'error.unknown', coordinator: 'error.unknown_coordinator' },
  BadRequest: 'error.bad_request',
  Unauthorized: { member: 'error.unauthorized', coordinator: 'error.unauthorized_coordinator' },
  Forbidden: 'error.forbidden',
  NotFound: 'error.not_found',
  MethodNotAllowed: 'error.bad_request',
  UnsupportedMediaType: 'error.bad_request',
  Conflict: 'error.conflict',
  TeamNameTaken: 'error.team_name_taken',
  Gone: { member: 'error.gone', coordinator: 'error.gone_coordinator' },
  PreconditionFailed: 'error.changed_meanwhile',
  PayloadTooLarge: 'error.too_long',
  Unprocessable: 'error.unprocessable',
  ValidationError: 'error.unprocessable',
  TooManyRequests: 'error.too_many',
  InternalError: { member: 'error.internal', coordinator: 'error.internal_coordinator' },
  ServiceUnavailable: 'error.busy',
  ServerBusy: 'error.busy',
  DatabaseUnavailable: 'error.busy',
  EndpointNotAllowed: 'error.push_endpoint',
  PauseOutOfRange: 'error.pause_range',
  InvalidEmail: 'error.invalid_email',
  UnknownSolution: 'error.unknown_solution',
  InvalidDateRange: 'error.date_range',
  InvalidRange: 'error.date_range',
  WorkDateInFuture: 'error.future_date',
  WorkDateOutsideWindow: 'error.outside_window',
  EmptyCheckIn: 'error.empty_checkin',
  StaleCheckIn: 'error.stale_checkin',
  InvalidStatusTransition: 'error.changed_meanwhile',
  SituationNotInTeam: 'error.situation_gone',
  MeetingDateInFuture: 'followup.date_invalid',
  ClientIdConflict: 'error.changed_meanwhile',
  WeekClosed: 'error.week_closed',
};

/**
 * @param {string | null} name the server's error name
 * @param {string | null} [_detail] the server's English detail: never shown
 * @param {Reader} [reader]
 */
export function errorText(name, _detail, reader = 'member') {
  const words = (name && WORDS[name]) || WORDS.AppError;
  return t(typeof words === 'string' ? words : words[reader]);
}

/** Any thrown error in words: a server answer, or no connection. @param {unknown} error @param {Reader} [reader] */
export function describeError(error, reader = 'member') {
  if (error instanceof ApiError) return errorText(error.error, error.detail, reader);
  return t('error.network');
}
