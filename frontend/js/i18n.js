/** Translations (one flat key → string file per locale, Danish first) and dates in words. */

export const LOCALES = /** @type {const} */ (['da', 'en']);
export const DEFAULT_LOCALE = 'da';
/** @typedef {typeof LOCALES[number]} Locale */

/** @type {Record<string, string>} */
let strings = {};
/** @type {Locale} */
let current = DEFAULT_LOCALE;

/** @param {unknown} value @returns {value is Locale} */
export function isLocale(value) {
  return LOCALES.includes(/** @type {Locale} */ (value));
}

/** Loads a locale's strings (from the service worker's cache when offline). @param {Locale} locale */
export async function setLocale(locale) {
  const response = await fetch(`/locales/${locale}.json`);
  strings = await response.json();
  current = locale;
  document.documentElement.lang = locale;
}

export function getLocale() {
  return current;
}

/**
 * The string for `key`, with {name} placeholders filled in.
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params) {
  const text = strings[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Fills elements marked data-i18n (text) and data-i18n-label (aria-label). @param {ParentNode} root */
export function translateDom(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n ?? '');
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(/** @type {HTMLElement} */ (el).dataset.i18nLabel ?? ''));
  }
}

const DAY_MS = 86_400_000;
/** @param {string} iso YYYY-MM-DD @returns {Date} */
const utcDate = (iso) => new Date(`${iso}T00:00:00Z`);

/** Whole days from `from` to `to` (both YYYY-MM-DD). @param {string} from @param {string} to */
export function daysBetween(from, to) {
  return Math.round((utcDate(to).getTime() - utcDate(from).getTime()) / DAY_MS);
}

/** @param {string} iso @param {number} days */
export function addDays(iso, days) {
  return new Date(utcDate(iso).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of an ISO date's week. @param {string} iso */
export const mondayOf = (iso) => addDays(iso, -((utcDate(iso).getUTCDay() + 6) % 7));

/**
 * @param {string} iso
 * @param {'long' | 'short'} weekday
 * @returns {Record<string, string>}
 */
function dateParts(iso, weekday) {
  const format = new Intl.DateTimeFormat(current === 'da' ? 'da-DK' : 'en-GB', {
    weekday,
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  });
  /** @type {Record<string, string>} */
  const parts = {};
  for (const part of format.formatToParts(utcDate(iso))) parts[part.type] = part.value;
  return parts;
}

/** "torsdag 26. november", as inside a sentence ("Dit svar for torsdag 26. november …").
 * @param {string} iso */
export function formatDate(iso) {
  const { weekday, day, month } = dateParts(iso, 'long');
  return t('date.long', { weekday, day, month });
}

/** A date's words where they start a line (a heading, a list item, a chip): capitalised.
 * @param {string} text */
const lineStart = (text) => text.charAt(0).toLocaleUpperCase(current) + text.slice(1);

/** The work date in words relative to the server's today, at the start of a line:
 * "I dag, torsdag 26. november", "I går, …", "Mandag 23. november".
 * @param {string} iso @param {string} today */
export function describeWorkDate(iso, today) {
  const date = formatDate(iso);
  const ago = daysBetween(iso, today);
  if (ago === 0) return t('date.today_long', { date });
  if (ago === 1) return t('date.yesterday_long', { date });
  return lineStart(date);
}

/** A short label for a date chip: "I dag", "I går", "Man. 23." @param {string} iso @param {string} today */
export function shortDate(iso, today) {
  const ago = daysBetween(iso, today);
  if (ago === 0) return t('date.today');
  if (ago === 1) return t('date.yesterday');
  const { weekday, day } = dateParts(iso, 'short');
  return lineStart(t('date.short', { weekday, day }));
}

/** "26. nov. 2026, 08:00" for an instant (ISO-8601); "26. nov. 2026" with `{time: false}`.
 * @param {string} instant @param {{time?: boolean}} [options] */
export function formatInstant(instant, { time = true } = {}) {
  return new Intl.DateTimeFormat(current === 'da' ? 'da-DK' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: time ? 'short' : undefined,
  }).format(new Date(instant));
}

/** A mean or a change the member's way: "3,4" in Danish, "3.4" in English; "–" for none.
 * @param {number | null | undefined} value @param {{digits?: number, sign?: boolean}} [options] */
export function formatNumber(value, { digits = 1, sign = false } = {}) {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(current === 'da' ? 'da-DK' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: sign ? 'exceptZero' : 'auto',
  }).format(value);
}

/** A share as a percentage: "59 %" in Danish, "59%" in English. @param {number} fraction */
export function formatPercent(fraction) {
  return new Intl.NumberFormat(current === 'da' ? 'da-DK' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/** The ISO week number of a date (YYYY-MM-DD): the week's Thursday decides its year.
 * @param {string} iso */
export function isoWeek(iso) {
  const day = utcDate(iso);
  const thursday = day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * DAY_MS;
  const newYear = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return 1 + Math.floor((thursday - newYear) / DAY_MS / 7);
}

/** A week by its Monday, as people say it: "uge 48" ("week 48"). @param {string} monday */
export function weekLabel(monday) {
  return t('date.week', { week: isoWeek(monday) });
}
