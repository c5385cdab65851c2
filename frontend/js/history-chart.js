/** The member's own history as a small chart: their calm, flow and workload, week by week (the
 * mean of their own answers; drawn here as SVG, no chart library). Only the member sees it. */

import { h } from './dom.js';
import { addDays, daysBetween, mondayOf, t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const HEIGHT = 150;
const LEFT = 22;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;
/** Each line has its own dash and marker as well as its colour (never colour alone). */
const SERIES = /** @type {const} */ ([
  { name: 'calm', label: 'rating.calm', marker: 'circle' },
  { name: 'flow', label: 'rating.flow', marker: 'square' },
  { name: 'workload', label: 'me.chart_workload', marker: 'diamond' },
]);

/** @param {string} tag @param {Record<string, string | number>} attributes */
function svg(tag, attributes) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  return el;
}

/** ISO week number. @param {string} monday */
function weekNumber(monday) {
  const thursday = addDays(monday, 3);
  const jan1 = `${thursday.slice(0, 4)}-01-01`;
  return Math.floor(daysBetween(jan1, thursday) / 7) + 1;
}

/**
 * Means per week, oldest first: the last `count` weeks up to today's.
 * @param {import('./api.js').Checkin[]} checkins @param {string} today @param {number} count
 * @returns {{monday: string, calm: number | null, flow: number | null, workload: number | null}[]}
 */
export function weeklyMeans(checkins, today, count) {
  const last = mondayOf(today);
  return Array.from({ length: count }, (_, i) => {
    const monday = addDays(last, -7 * (count - 1 - i));
    const week = checkins.filter((c) => mondayOf(c.work_date) === monday);
    /** @param {'calm' | 'flow' | 'workload'} key */
    const mean = (key) => {
      const values = week.map((c) => c[key]).filter((v) => typeof v === 'number');
      return values.length ? values.reduce((a, b) => a + /** @type {number} */ (b), 0) / values.length : null;
    };
    return { monday, calm: mean('calm'), flow: mean('flow'), workload: mean('workload') };
  });
}

/** @param {string} kind @param {number} x @param {number} y */
function marker(kind, x, y) {
  if (kind === 'circle') return svg('circle', { cx: x, cy: y, r: 3.5 });
  if (kind === 'square') return svg('rect', { x: x - 3, y: y - 3, width: 6, height: 6 });
  return svg('path', { d: `M${x} ${y - 4.5}l4.5 4.5l-4.5 4.5l-4.5 -4.5z` });
}

/** @param {number | null} value */
const words = (value) => (value === null ? '–' : value.toFixed(1).replace('.', t('number.decimal')));

/**
 * @param {import('./api.js').Checkin[]} checkins  the member's own, of the last `count` weeks
 * @param {string} today @param {number} count
 */
export function historyChart(checkins, today, count) {
  const weeks = weeklyMeans(checkins, today, count);
  const step = (WIDTH - LEFT - RIGHT) / (count - 1);
  const x = (/** @type {number} */ i) => LEFT + i * step;
  const y = (/** @type {number} */ v) => TOP + ((5 - v) / 4) * (HEIGHT - TOP - BOTTOM);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'me-chart', 'aria-hidden': 'true', focusable: 'false' });
  for (let v = 1; v <= 5; v += 1) {
    chart.append(svg('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y(v), y2: y(v), class: 'grid' }));
    const label = svg('text', { x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = String(v);
    chart.append(label);
  }
  weeks.forEach((week, i) => {
    if (i % 2 === 1 && i !== count - 1) return; // every other week's number: room on a phone
    const label = svg('text', { x: x(i), y: HEIGHT - 6, 'text-anchor': 'middle', class: 'axis' });
    label.textContent = t('me.chart_week', { week: weekNumber(week.monday) });
    chart.append(label);
  });
  for (const series of SERIES) {
    const group = svg('g', { class: `series series-${series.name}` });
    let d = '';
    let drawing = false;
    weeks.forEach((week, i) => {
      const value = week[series.name];
      if (value === null) {
        drawing = false; // a week without answers is a gap, not a line through it
        return;
      }
      d += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)} ${y(value).toFixed(1)}`;
      drawing = true;
      group.append(marker(series.marker, x(i), y(value)));
    });
    if (d) group.prepend(svg('path', { d, class: 'line' }));
    chart.append(group);
  }
  const legend = h(
    'ul',
    { class: 'chart-legend', 'aria-hidden': 'true' },
    SERIES.map((series) => h('li', { class: `series-${series.name}` }, h('span', { class: 'me-key' }), t(series.label))),
  );
  // The same figures as a table for screen readers (the drawing is hidden from them).
  const table = h(
    'table',
    { class: 'sr-only' },
    h('caption', { text: t('me.chart_caption') }),
    h('tr', {}, h('th', { scope: 'col', text: t('me.chart_week_column') }), SERIES.map((s) => h('th', { scope: 'col', text: t(s.label) }))),
    weeks.map((week) =>
      h('tr', {}, h('th', { scope: 'row', text: t('me.chart_week', { week: weekNumber(week.monday) }) }), SERIES.map((s) => h('td', { text: words(week[s.name]) }))),
    ),
  );
  return h('figure', { class: 'history-chart' }, chart, legend, h('figcaption', { class: 'hint', text: t('me.chart_hint') }), table);
}
