/** Which work dates a member may rate when the server cannot say (offline): the server's rules
 * (backend/checkins/workdates.py, backend/holidays.py) redone on this device's clock, in the
 * organisation's time zone. tests/frontend/test_today.py holds both sides to the same answers over
 * years of dates (Easter, Christmas, store bededag).
 *
 * The window is today plus the previous N *working days* of the team (its weekdays that are not
 * Danish holidays; N is the organisation's setting), so a weekend or Easter does not eat it.
 *
 * Today's offline copy says "today", the window and the suggested date as they were when it was
 * fetched. Opened days later, that copy would call an old day "i dag" and offer dates the server no
 * longer accepts, so a copy from an earlier day is moved to the device's today: dates that left the
 * window go, new days come in unrated, and the suggested date follows the server's rule again. A copy
 * from today keeps its dates, but the suggestion is worked out again: noon may have passed, or the
 * suggested day may have been answered since. A device clock behind the copy's today changes nothing. */

import { addDays } from './i18n.js';

/** Before this local hour the member most likely rates the day that just ended (the server's rule). */
const SWITCH_TO_TODAY_AT = 12;
/** Monday … Friday; the team's own working days come with Today's copy (or the cached /me). */
const WEEKDAYS = [1, 2, 3, 4, 5];
/** The organisation's default window, for a copy from before the server sent its setting. */
const DEFAULT_WINDOW_DAYS = 3;
/** Store bededag was abolished from 2024 (lov nr. 54 af 28/02/2023). */
const LAST_STORE_BEDEDAG_YEAR = 2023;

/** @typedef {import('./api.js').Today} Today */

/**
 * The date (YYYY-MM-DD) and hour on this device's clock in `timeZone` (the organisation's); the
 * device's own zone when none is known or the name is not one this browser knows.
 * @param {string | undefined} timeZone
 * @param {Date} [now]
 * @returns {{date: string, hour: number}}
 */
export function localNow(timeZone, now = new Date()) {
  const options = /** @type {const} */ ({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  let format;
  try {
    format = new Intl.DateTimeFormat('en-CA', { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat('en-CA', options);
  }
  /** @type {Record<string, string>} */
  const parts = {};
  for (const part of format.formatToParts(now)) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** ISO weekday, Monday = 1 … Sunday = 7. @param {string} iso YYYY-MM-DD */
function isoWeekday(iso) {
  return new Date(`${iso}T00:00:00Z`).getUTCDay() || 7;
}

/** Gregorian Easter Sunday (the anonymous Gregorian algorithm, as holidays.py). @param {number} year */
export function easterSunday(year) {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** @type {Map<number, Map<string, string>>} */
const byYear = new Map();

/**
 * Every day off in `year` → its Danish name (the official helligdage, and Grundlovsdag,
 * Juleaftensdag and Nytårsaftensdag, days off under most Danish agreements) — holidays.py's list.
 * @param {number} year
 * @returns {Map<string, string>}
 */
export function holidays(year) {
  let days = byYear.get(year);
  if (days) return days;
  const easter = easterSunday(year);
  const fixed = (/** @type {number} */ month, /** @type {number} */ day) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  /** @type {[string, string][]} */
  const list = [
    [fixed(1, 1), 'Nytårsdag'],
    [addDays(easter, -3), 'Skærtorsdag'],
    [addDays(easter, -2), 'Langfredag'],
    [easter, 'Påskedag'],
    [addDays(easter, 1), '2. påskedag'],
    [addDays(easter, 39), 'Kristi himmelfartsdag'],
    [addDays(easter, 49), 'Pinsedag'],
    [addDays(easter, 50), '2. pinsedag'],
    [fixed(6, 5), 'Grundlovsdag'],
    [fixed(12, 24), 'Juleaftensdag'],
    [fixed(12, 25), 'Juledag'],
    [fixed(12, 26), '2. juledag'],
    [fixed(12, 31), 'Nytårsaftensdag'],
  ];
  if (year <= LAST_STORE_BEDEDAG_YEAR) list.push([addDays(easter, 26), 'Store bededag']);
  days = new Map(list.sort(([x], [y]) => x.localeCompare(y)));
  byYear.set(year, days);
  return days;
}

/** The day off's Danish name, or null. @param {string} iso */
export function holidayName(iso) {
  return holidays(Number(iso.slice(0, 4))).get(iso) ?? null;
}

/** One of the team's weekdays and no holiday. @param {string} iso @param {number[] | null | undefined} workingDays */
export function isWorkingDay(iso, workingDays) {
  return (workingDays ?? WEEKDAYS).includes(isoWeekday(iso)) && holidayName(iso) === null;
}

/**
 * The oldest work date still rateable on `today`: today minus the previous `windowDays` working
 * days of the team (workdates.earliest_rateable on the server).
 * @param {string} today @param {number[] | null | undefined} workingDays @param {number} windowDays
 */
export function earliestRateable(today, workingDays, windowDays) {
  let day = today;
  let left = windowDays;
  // A team has at least one working day; the bound only guards against an endless loop.
  for (let n = 0; n < windowDays * 31 + 7 && left > 0; n += 1) {
    day = addDays(day, -1);
    if (isWorkingDay(day, workingDays)) left -= 1;
  }
  return day;
}

/**
 * The window's dates ending on `today`, newest first: the copy's where it has them, new days unrated.
 * @param {Today} copy @param {string} from @param {string} today
 * @param {number[] | null | undefined} workingDays
 * @returns {Today['dates']}
 */
function windowOf(copy, from, today, workingDays) {
  const known = new Map(copy.dates.map((d) => [d.date, d]));
  /** @type {Today['dates']} */
  const dates = [];
  for (let day = today; day >= from; day = addDays(day, -1)) {
    const holiday = holidayName(day);
    dates.push(known.get(day) ?? { date: day, rated: false, holiday, working_day: isWorkingDay(day, workingDays) });
  }
  return dates;
}

/**
 * Today's offline copy, moved to the device's today when it is from an earlier day, with the
 * suggested date worked out again (the copy itself when that changes nothing).
 * @param {Today} copy   what /me/today answered last time (dates newest first)
 * @param {{now: {date: string, hour: number}, workingDays?: number[] | null,
 *          answered: (date: string) => boolean}} clock
 *        now: localNow() in the org's zone; workingDays: the cached /me's, for a copy that does not
 *        carry them; answered: a check-in for that date waits in the outbox or was sent from it
 * @returns {Today}
 */
export function moveToToday(copy, { now, workingDays, answered }) {
  if (now.date < copy.today) return copy;
  const working = copy.working_days ?? workingDays ?? WEEKDAYS;
  const windowDays = copy.window_days ?? DEFAULT_WINDOW_DAYS;
  let dates = copy.dates;
  let from = copy.window.from;
  if (now.date !== copy.today) {
    // Never earlier than the copy's start: the server may have moved it on for a closed week.
    const earliest = earliestRateable(now.date, working, windowDays);
    from = earliest > copy.window.from ? earliest : copy.window.from;
    dates = windowOf(copy, from, now.date, working);
  }
  // Before noon the previous working day, unless it is rated; from noon today (never outside the window).
  const previous = dates.slice(1).find((d) => d.working_day !== false);
  const suggested =
    now.hour < SWITCH_TO_TODAY_AT && previous && !previous.rated && !answered(previous.date) ? previous.date : now.date;
  if (now.date === copy.today && suggested === copy.work_date) return copy;
  const checkins = (copy.checkins ?? []).filter((c) => c.work_date >= from);
  return {
    ...copy,
    today: now.date,
    window: { from, to: now.date },
    dates,
    work_date: suggested,
    checkins,
    checkin: checkins.find((c) => c.work_date === suggested) ?? (suggested === copy.work_date ? copy.checkin : null),
  };
}
