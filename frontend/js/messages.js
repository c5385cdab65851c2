/** Words for what went wrong, from the server's error names (`{"error": "ClassName"}`). */

import { ApiError } from './api.js';
import { t } from './i18n.js';

/** @type {Record<string, string>} */
const KNOWN = {
  WorkDateOutsideWindow: 'error.outside_window',
  WorkDateInFuture: 'error.future_date',
  UnknownSolution: 'error.unknown_solution',
  EmptyCheckIn: 'error.empty_checkin',
  StaleCheckIn: 'error.stale_checkin',
  Unauthorized: 'error.unauthorized',
  TooManyRequests: 'error.too_many',
  Forbidden: 'error.forbidden',
};

/** @param {string | null} name @param {string | null} [detail] */
export function errorText(name, detail) {
  const key = name ? KNOWN[name] : undefined;
  return key ? t(key) : t('error.rejected', { detail: detail || name || '' });
}

/** Any thrown error in words: a server answer, or no connection. @param {unknown} error */
export function describeError(error) {
  if (error instanceof ApiError) return errorText(error.error, error.detail);
  return t('error.network');
}
