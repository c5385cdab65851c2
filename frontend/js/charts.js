/** Charts of the insights screens: week trends drawn with uPlot (loaded on first use from /vendor,
 * so the check-in screens never carry it), each with a table alternative and keyboard use; the
 * teams × weeks heat map and participation as tables. A suppressed week is a gap, never a value. */

import { h, uid } from './dom.js';
import { formatNumber, t, weekLabel } from './i18n.js';

/** @typedef {'calm' | 'flow' | 'workload'} Metric */
/** @typedef {{metric: Metric, values: (number | null)[]}} Series */
/** @typedef {import('uplot')} UPlot */
/** @typedef {typeof import('uplot')} UPlotClass */

export const METRIC_LABELS = { calm: 'rating.calm', flow: 'rating.flow', workload: 'rating.workload' };
const HEIGHT = 220;

/** @type {Promise<UPlotClass> | undefined} */
let library;
/** @type {Promise<void> | undefined} */
let styles;

/** @param {string} href @returns {Promise<void>} */
function stylesheet(href) {
  return new Promise((resolve) => {
    const link = h('link', { rel: 'stylesheet', href });
    link.addEventListener('load', () => resolve(), { once: true });
    link.addEventListener('error', () => resolve(), { once: true }); // unstyled beats not shown
    document.head.append(link);
  });
}

/** The insights screens' own styles (kept out of app.css, which every staff screen loads). */
export function insightStyles() {
  styles ??= stylesheet('/css/insights.css');
  return styles;
}

/** uPlot and its stylesheet, fetched once, on the first chart. @returns {Promise<UPlotClass>} */
function loadLibrary() {
  library ??= Promise.all([
    import(/** @type {string} */ ('/vendor/uplot.mjs')),
    stylesheet('/vendor/uplot.css'),
  ]).then(([module]) => /** @type {UPlotClass} */ (module.default));
  return library;
}

/** The colours of the page's scheme (set in insights.css), read when a chart is drawn. */
function palette() {
  const css = getComputedStyle(document.documentElement);
  /** @param {string} name */
  const value = (name) => css.getPropertyValue(name).trim();
  return {
    text: value('--muted') || '#4f5856',
    grid: value('--line') || '#c9cecb',
    calm: value('--chart-calm') || '#1d5c57',
    flow: value('--chart-flow') || '#7a4fb5',
    workload: value('--chart-workload') || '#b3541e',
  };
}

/** The text of one week of a chart: "Uge 47: Ro 3,4 · Flow 3,1", or that it had too few answers.
 * @param {string} week @param {Series[]} series @param {number} index */
function describeWeek(week, series, index) {
  const label = weekLabel(week);
  const values = series.map((s) => s.values[index]);
  if (values.every((v) => v === null)) return `${label}: ${t('insights.too_few')}`;
  return `${label}: ${series.map((s, i) => `${t(METRIC_LABELS[s.metric])} ${formatNumber(values[i])}`).join(' · ')}`;
}

/**
 * A table with one row per week: the chart's text alternative.
 * @param {{caption: string, weeks: string[], series: Series[], answers?: string[]}} spec
 */
export function weekTable({ caption, weeks, series, answers }) {
  return h(
    'table',
    { class: 'data' },
    h('caption', { text: caption }),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col', text: t('insights.week') }), series.map((s) => h('th', { scope: 'col', text: t(METRIC_LABELS[s.metric]) })), answers ? h('th', { scope: 'col', text: t('insights.answers') }) : null),
    ),
    h(
      'tbody',
      {},
      weeks.map((week, i) => {
        const empty = series.every((s) => s.values[i] === null);
        return h(
          'tr',
          {},
          h('th', { scope: 'row', text: weekLabel(week) }),
          empty
            ? h('td', { colspan: String(series.length), class: 'gap-text', text: t('insights.too_few') })
            : series.map((s) => h('td', { class: 'num', text: formatNumber(s.values[i]) })),
          answers ? h('td', { class: 'num', text: answers[i] }) : null,
        );
      }),
    ),
  );
}

/**
 * A line chart of some ratings over weeks, with a key, a hint which way is good, a table toggle,
 * and the keyboard: the plot takes focus, and the arrow keys walk through the weeks (read out).
 * @param {{title: string, hint: string, weeks: string[], series: Series[], answers?: string[]}} spec
 * @returns {{element: HTMLElement, destroy: () => void}}
 */
export function lineChart({ title, hint, weeks, series, answers }) {
  const headingId = uid('chart');
  const tableId = uid('chart-table');
  const readout = h('p', { class: 'chart-readout', 'aria-live': 'polite' });
  const plot = h('div', {
    class: 'chart-plot',
    tabindex: '0',
    role: 'group',
    'aria-label': t('insights.chart_keys', { title }),
  });
  const table = h('div', { id: tableId, class: 'table-scroll', hidden: true }, weekTable({ caption: title, weeks, series, answers }));
  const toggle = h('button', { type: 'button', class: 'button-small', 'aria-controls': tableId, 'aria-expanded': 'false' }, t('insights.show_table'));
  const drawing = h('div', { class: 'chart-drawing' }, plot, readout);
  toggle.addEventListener('click', () => {
    const showTable = table.hidden;
    table.hidden = !showTable;
    drawing.hidden = showTable;
    toggle.setAttribute('aria-expanded', String(showTable));
    toggle.textContent = t(showTable ? 'insights.show_chart' : 'insights.show_table');
  });
  const element = h(
    'figure',
    { class: 'chart', 'aria-labelledby': headingId },
    h('div', { class: 'chart-head' }, h('h3', { id: headingId, text: title }), toggle),
    h(
      'p',
      { class: 'chart-key' },
      series.map((s) => h('span', { class: `key key-${s.metric}` }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), t(METRIC_LABELS[s.metric]))),
      h('span', { class: 'hint', text: hint }),
    ),
    drawing,
    table,
  );

  /** @type {UPlot | null} */
  let chart = null;
  let destroyed = false;
  /** @type {number | null} */
  let index = null;
  // The views that hold a chart may not hear when they go (the coordinator's screen has no
  // clean-up): a chart taken out of the page frees itself.
  const resize = new ResizeObserver(() => {
    if (!plot.isConnected) destroy();
    else if (chart && plot.clientWidth > 0) chart.setSize({ width: plot.clientWidth, height: HEIGHT });
  });
  const destroy = () => {
    destroyed = true;
    resize.disconnect();
    chart?.destroy();
    chart = null;
  };

  /** @param {number | null} i */
  const show = (i) => {
    index = i;
    readout.textContent = i === null || i < 0 || i >= weeks.length ? '' : describeWeek(weeks[i], series, i);
  };

  const scheme = matchMedia('(prefers-color-scheme: dark)');
  /** @param {UPlotClass} UPlot */
  const draw = (UPlot) => {
    if (destroyed) return;
    chart?.destroy();
    const colours = palette();
    const width = Math.max(plot.clientWidth, 280);
    const step = Math.max(1, Math.ceil(weeks.length / Math.max(2, Math.floor(width / 72))));
    const xs = weeks.map((_, i) => i);
    chart = new UPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { size: 9 } },
        scales: { x: { time: false, range: [-0.4, Math.max(weeks.length - 0.6, 0.6)] }, y: { range: [1, 5] } },
        axes: [
          {
            stroke: colours.text,
            grid: { stroke: colours.grid, width: 1 },
            ticks: { show: false },
            size: 36,
            splits: () => xs.filter((i) => (weeks.length - 1 - i) % step === 0),
            values: (_, splits) => splits.map((i) => (weeks[i] ? weekLabel(weeks[i]) : '')),
          },
          {
            stroke: colours.text,
            grid: { stroke: colours.grid, width: 1 },
            ticks: { show: false },
            size: 32,
            splits: () => [1, 2, 3, 4, 5],
            values: (_, splits) => splits.map((v) => formatNumber(v, { digits: 0 })),
          },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: t(METRIC_LABELS[s.metric]),
            stroke: colours[s.metric],
            width: 2.5,
            dash: s.metric === 'flow' ? [6, 4] : undefined,
            points: { show: true, size: 6, fill: colours[s.metric] },
            spanGaps: false, // a suppressed week is drawn as a gap
          })),
        ],
        hooks: { setCursor: [(u) => show(u.cursor.idx ?? null)] },
      },
      [xs, ...series.map((s) => s.values)],
      plot,
    );
    resize.observe(plot);
  };
  void loadLibrary().then((UPlot) => {
    draw(UPlot);
    // The canvas has the colours it was drawn with: a new scheme draws it again.
    const redraw = () => {
      if (!plot.isConnected) scheme.removeEventListener('change', redraw);
      else draw(UPlot);
    };
    scheme.addEventListener('change', redraw);
  });

  /** Puts the cursor on week `i` (the plot's own hover code then shows it). @param {number} i */
  const moveTo = (i) => {
    if (!chart || weeks.length === 0) return;
    const clamped = Math.min(Math.max(i, 0), weeks.length - 1);
    const value = series.map((s) => s.values[clamped]).find((v) => v !== null) ?? 3;
    chart.setCursor({ left: chart.valToPos(clamped, 'x'), top: chart.valToPos(value, 'y') });
    show(clamped);
  };
  plot.addEventListener('keydown', (event) => {
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowUp: 1, ArrowDown: -1 };
    const key = /** @type {keyof typeof moves | 'Home' | 'End'} */ (event.key);
    const current = index ?? weeks.length;
    if (key in moves) moveTo(current + moves[/** @type {keyof typeof moves} */ (key)]);
    else if (key === 'Home') moveTo(0);
    else if (key === 'End') moveTo(weeks.length - 1);
    else return;
    event.preventDefault();
  });
  plot.addEventListener('focus', () => moveTo(index ?? weeks.length - 1));
  plot.addEventListener('blur', () => {
    chart?.setCursor({ left: -10, top: -10 });
    show(null);
  });

  return { element, destroy };
}

/** A rating's place on the scale from strained (0) to good (4): workload turned round.
 * @param {Metric} metric @param {number} value */
function level(metric, value) {
  const good = metric === 'workload' ? (5 - value) / 4 : (value - 1) / 4;
  return Math.min(4, Math.max(0, Math.round(good * 4)));
}

/**
 * The teams × weeks heat map: one row per team, one cell per week, the mean written in the cell
 * and its colour from strained to good; a suppressed cell is a gap ("For få svar").
 * @param {{caption: string, metric: Metric, weeks: string[], rows: {name: string, cells: Map<string, {value: number | null, suppressed: boolean}>}[]}} spec
 */
export function heatMap({ caption, metric, weeks, rows }) {
  const legend = h(
    'div',
    { class: 'heat-legend' },
    h('span', { text: t('insights.heat_strained') }),
    [0, 1, 2, 3, 4].map((n) => h('span', { class: `heat-swatch heat-${n}`, 'aria-hidden': 'true' })),
    h('span', { text: t('insights.heat_good') }),
    h('span', { class: 'heat-swatch heat-gap', 'aria-hidden': 'true' }),
    h('span', { text: t('insights.too_few') }),
  );
  const table = h(
    'table',
    { class: 'heat' },
    h('caption', { class: 'sr-only', text: caption }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('insights.team') }), weeks.map((w) => h('th', { scope: 'col', text: weekLabel(w) })))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', text: row.name }),
          weeks.map((week) => {
            const cell = row.cells.get(week);
            // A week before the team began has no cell at all: blank, not "too few answers".
            if (!cell) return h('td', { class: 'heat-cell heat-none' }, h('span', { class: 'sr-only', text: t('insights.no_team_yet') }));
            if (cell.suppressed || cell.value === null) {
              return h('td', { class: 'heat-cell heat-gap' }, h('span', { class: 'sr-only', text: t('insights.too_few') }));
            }
            return h('td', { class: `heat-cell heat-${level(metric, cell.value)}`, text: formatNumber(cell.value) });
          }),
        ),
      ),
    ),
  );
  return h('div', { class: 'heat-map' }, legend, h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption }, table));
}

/**
 * Participation per week: how many answered of how many members (never who), as a table with a
 * meter per week.
 * @param {{caption: string, weeks: {week: string, respondents: number, members: number}[]}} spec
 */
export function participation({ caption, weeks }) {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data participation' },
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('insights.week') }), h('th', { scope: 'col', text: t('insights.answered') }))),
      h(
        'tbody',
        {},
        weeks.map((w) => {
          const text = t('insights.answered_of', { answered: w.respondents, members: w.members });
          return h(
            'tr',
            {},
            h('th', { scope: 'row', text: weekLabel(w.week) }),
            h('td', {}, h('meter', { min: '0', max: String(Math.max(w.members, 1)), value: String(w.respondents), 'aria-hidden': 'true' }), ' ', text),
          );
        }),
      ),
    ),
  );
}
