/** Which work dates a member may rate when the server cannot say (offline): the server's rules
 * (backend/checkins/workdates.py) redone on this device's clock, in the organisation's time zone.
 *
 * Today's offline copy says "today", the window and the suggested date as they were when it was
 * fetched. Opened days later, that copy would call an old day "i dag" and offer dates the server no
 * longer accepts, so a copy from an earlier day is moved to the device's today: dates that left the
 * window go, new days come in unrated, and the suggested date follows the server's rule again. A copy
 * from today keeps its dates, but the suggestion is worked out again: noon may have passed, or the
 * suggested day may have been answered since. A device clock behind the copy's today changes nothing. */

import { addDays, daysBetween } from './i18n.js';

/** Before this local hour the member most likely rates the day that just ended (the server's rule). */
const SWITCH_TO_TODAY_AT = 12;
/** Monday … Friday; the team's own working days come from the cached /me when there is one. */
const WEEKDAYS = [1, 2, 3, 4, 5];

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

/**
 * The window's dates ending on `today`, newest first: the copy's where it has them, new days unrated;
 * a new day is a working day on the team's weekdays unless the copy names it among the coming
 * holidays (the server's list for the month after the copy's today).
 * @param {Today} copy @param {string} today @param {number} length days before today
 * @param {number[] | null | undefined} workingDays
 * @returns {Today['dates']}
 */
function windowOf(copy, today, length, workingDays) {
  const working = new Set(workingDays ?? WEEKDAYS);
  const known = new Map(copy.dates.map((d) => [d.date, d]));
  const holidays = new Map((copy.coming_holidays ?? []).map((d) => [d.work_date, d.holiday]));
  /** @type {Today['dates']} */
  const dates = [];
  for (let n = 0; n <= length; n += 1) {
    const day = addDays(today, -n);
    const holiday = holidays.get(day) ?? null;
    dates.push(known.get(day) ?? { date: day, rated: false, holiday, working_day: !holiday && working.has(isoWeekday(day)) });
  }
  return dates;
}

/**
 * Today's offline copy, moved to the device's today when it is from an earlier day, with the
 * suggested date worked out again (the copy itself when that changes nothing).
 * @param {Today} copy   what /me/today answered last time (dates newest first)
 * @param {{now: {date: string, hour: number}, workingDays?: number[] | null,
 *          answered: (date: string) => boolean}} clock
 *        now: localNow() in the org's zone; answered: a check-in for that date waits in the outbox
 *        or was sent from it
 * @returns {Today}
 */
export function moveToToday(copy, { now, workingDays, answered }) {
  if (now.date < copy.today) return copy;
  const length = daysBetween(copy.window.from, copy.window.to);
  const dates = now.date === copy.today ? copy.dates : windowOf(copy, now.date, length, workingDays);
  // Before noon the previous working day, unless it is rated; from noon today (never outside the window).
  const previous = dates.slice(1).find((d) => d.working_day !== false);
  const suggested =
    now.hour < SWITCH_TO_TODAY_AT && previous && !previous.rated && !answered(previous.date) ? previous.date : now.date;
  if (now.date === copy.today && suggested === copy.work_date) return copy;
  return {
    ...copy,
    today: now.date,
    window: { from: addDays(now.date, -length), to: now.date },
    dates,
    work_date: suggested,
    // The copy's check-in belongs to the copy's date only.
    checkin: suggested === copy.work_date ? copy.checkin : null,
  };
}
