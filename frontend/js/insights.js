/** What the insights screens share: the range switch, a solution's before/after in numbers and in
 * plain words (a difference in differences, thin data said so), its use, and the explanation a
 * team sees while it is too small to be shown. Figures come from the server as sums of whole shown
 * week cells; nothing here computes a mean. */

import { h, uid } from './dom.js';
import { METRIC_LABELS, lineChart } from './charts.js';
import { statusBadge } from './forms.js';
import { addDays, formatDate, formatNumber, formatPercent, isoWeek, t, weekLabel } from './i18n.js';

// The answers of backend/insights (schemas.py), as the screens use them.
/** @typedef {{calm: number | null, flow: number | null, workload: number | null}} RatingMeans */
/** @typedef {{solution_id: number, yes: number, partly: number, no: number, not_relevant: number}} SolutionUseWeek */
/** @typedef {RatingMeans & {week_start: string, respondents: number, members: number, suppressed: boolean, solution_use: SolutionUseWeek[]}} WeekCell */
/** @typedef {RatingMeans & {weeks: number, respondents: number, first_week?: string | null, last_week?: string | null}} EffectSide */
/** @typedef {{before: EffectSide & {cells: number}, after: EffectSide & {cells: number}, change: RatingMeans}} EffectOthers */
/**
 * @typedef {Object} SolutionUse
 * @property {number} weeks
 * @property {number} marks
 * @property {number} yes
 * @property {number} partly
 * @property {number} no
 * @property {number} not_relevant
 * @property {{yes: number, partly: number, no: number} | null} shares
 */
/**
 * @typedef {Object} SolutionEffect
 * @property {number} id
 * @property {number} team_id
 * @property {string} title
 * @property {'P' | 'U' | 'X'} perspective
 * @property {'proposed' | 'trial' | 'adopted' | 'dropped'} status
 * @property {string | null} situation_title
 * @property {string | null} review_date
 * @property {string} trial_since
 * @property {string} trial_week
 * @property {string | null} ended
 * @property {EffectSide} before
 * @property {EffectSide} after
 * @property {RatingMeans} change
 * @property {EffectOthers} others
 * @property {RatingMeans} difference
 * @property {SolutionUse} use
 * @property {boolean} thin
 */
/** @typedef {{from: string, to: string, closed_through: string}} Dated */
/**
 * @typedef {Dated & {team: import('./api.js').TeamRef, threshold: number, members: number, weeks: WeekCell[],
 *   solutions: SolutionEffect[], comments: {week_start: string, text: string}[], comments_visible: boolean}} TeamSummary
 */
/**
 * @typedef {RatingMeans & {period_start: string, team_id: number | null, respondents: number, members: number,
 *   suppressed: boolean, teams?: number | null, teams_left_out?: number | null}} TrendPeriod
 */
/** @typedef {RatingMeans & {team_id: number | null, weeks: number, respondents: number}} TrendTotal */
/** @typedef {Dated & {threshold: number, teams: import('./api.js').TeamRef[], periods: TrendPeriod[], totals: TrendTotal[], teams_left_out: number}} OrgTrends */
/** @typedef {{threshold: number, closed_through: string, teams: import('./api.js').TeamRef[], solutions: SolutionEffect[]}} OrgSolutionEffects */

/** @typedef {import('./charts.js').Metric} Metric */

export const METRICS = /** @type {const} */ (['calm', 'flow', 'workload']);
export const RANGES = [4, 12, 52];
export const DEFAULT_RANGE = 12;
/** A change smaller than this is read as "no change" in words (the means have two decimals). */
const FLAT = 0.05;

/** The weeks from the first one in which the team (or any team) had members: a long range that
 * reaches back before the team began starts where it began.
 * @template {{members: number}} T @param {T[]} rows @returns {T[]} */
export function sinceFirstMembers(rows) {
  const first = rows.findIndex((r) => r.members > 0);
  return first < 0 ? [] : rows.slice(first);
}

/** The Monday that starts a range of `weeks` whole weeks ending on the Sunday `closedThrough`.
 * @param {string} closedThrough @param {number} weeks */
export function rangeStart(closedThrough, weeks) {
  return addDays(closedThrough, 1 - 7 * weeks);
}

/**
 * 4 / 12 / 52 weeks as a radio group; `onChange` gets the number of weeks.
 * @param {number} value @param {(weeks: number) => void} onChange
 */
export function rangeSwitch(value, onChange) {
  const name = uid('range');
  return h(
    'fieldset',
    { role: 'radiogroup', class: 'segmented range' },
    h('legend', { text: t('insights.range') }),
    h(
      'div',
      { class: 'options' },
      RANGES.map((weeks) => {
        const id = uid('range');
        const input = h('input', { type: 'radio', id, name, value: String(weeks), checked: weeks === value });
        input.addEventListener('change', () => onChange(weeks));
        return h('div', { class: 'option' }, input, h('label', { for: id }, h('span', { class: 'word', text: t('insights.weeks', { weeks }) })));
      }),
    ),
  );
}

/** "uge 38–41" for a side's weeks. @param {EffectSide} side */
function weeksOf(side) {
  if (!side.first_week || !side.last_week) return t('insights.no_weeks');
  if (side.first_week === side.last_week) return weekLabel(side.first_week);
  return t('insights.week_span', { first: isoWeek(side.first_week), last: isoWeek(side.last_week) });
}

/** "steg 0,8" / "faldt 0,3" / "var uændret". @param {number} change */
function move(change) {
  if (Math.abs(change) < FLAT) return t('effect.flat');
  return t(change > 0 ? 'effect.rose' : 'effect.fell', { n: formatNumber(Math.abs(change)) });
}

/**
 * One rating's difference in differences in plain words, or null when there is nothing to say.
 * @param {Metric} metric @param {SolutionEffect} effect
 */
export function effectSentence(metric, effect) {
  const change = effect.change[metric];
  if (change === null) return null;
  const label = t(METRIC_LABELS[metric]);
  const others = effect.others.change[metric];
  const difference = effect.difference[metric];
  if (others === null || difference === null) return t('effect.sentence_alone', { metric: label, team: move(change) });
  // Workload is good when it falls: the verdict turns its sign round.
  const better = metric === 'workload' ? -difference : difference;
  const verdict =
    Math.abs(better) < 2 * FLAT
      ? t('effect.verdict_same')
      : t(better > 0 ? 'effect.verdict_better' : 'effect.verdict_worse', { n: formatNumber(Math.abs(better)) });
  return t('effect.sentence', { metric: label, team: move(change), others: move(others), verdict });
}

/** The solution's use in its shown weeks: "Brugt: ja 59 % · delvis 30 % · nej 11 % (124 markeringer)".
 * @param {SolutionEffect} effect */
export function useText(effect) {
  const { shares, marks } = effect.use;
  if (!shares) return t('effect.use_none');
  return t('effect.use', { yes: formatPercent(shares.yes), partly: formatPercent(shares.partly), no: formatPercent(shares.no), marks });
}

/**
 * A solution's before and after: a table (team before, after, change; the rest of the house's
 * change; the difference), the plain words, its use. Thin data: a note, and no number stands out.
 * @param {SolutionEffect} effect @param {{teamName?: string, level?: 'h2' | 'h3' | 'h4'}} [options]
 */
export function effectBlock(effect, { teamName, level = 'h3' } = {}) {
  const thin = effect.thin;
  const sentences = thin ? [] : METRICS.map((m) => effectSentence(m, effect)).filter((s) => s !== null);
  return h(
    'article',
    { class: `effect${thin ? ' is-thin' : ''}` },
    h(level, { class: 'effect-title' }, h('span', { class: `badge badge-${effect.perspective}`, 'aria-hidden': 'true', text: effect.perspective }), ' ', effect.title),
    h(
      'p',
      { class: 'muted' },
      teamName ? `${teamName} · ` : '',
      statusBadge(effect.status),
      ' ',
      t('effect.trial_since', { date: formatDate(effect.trial_since) }),
      effect.review_date ? ` · ${t('effect.review', { date: formatDate(effect.review_date) })}` : '',
    ),
    thin ? h('p', { class: 'notice thin-note', text: t('effect.thin', { before: effect.before.weeks, after: effect.after.weeks }) }) : null,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data effect-table' },
        h('caption', { text: t('effect.caption', { before: weeksOf(effect.before), after: weeksOf(effect.after) }) }),
        h('thead', {}, h('tr', {}, h('td', {}), METRICS.map((m) => h('th', { scope: 'col', class: 'num', text: t(METRIC_LABELS[m]) })))),
        h(
          'tbody',
          {},
          /** @type {[string, (m: Metric) => number | null, boolean][]} */ ([
            ['effect.before', (m) => effect.before[m], false],
            ['effect.after', (m) => effect.after[m], false],
            ['effect.change', (m) => effect.change[m], true],
            ['effect.others_change', (m) => effect.others.change[m], true],
            ['effect.difference', (m) => effect.difference[m], true],
          ]).map(([label, value, sign]) =>
            h(
              'tr',
              { class: label === 'effect.difference' ? 'difference' : undefined },
              h('th', { scope: 'row', text: t(label) }),
              // Only a difference backed by enough weeks is set in bold.
              METRICS.map((m) => h('td', { class: label === 'effect.difference' && !thin ? 'num strong' : 'num', text: formatNumber(value(m), { sign }) })),
            ),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'hint' },
      t('effect.sides', {
        before: effect.before.weeks,
        before_answers: effect.before.respondents,
        after: effect.after.weeks,
        after_answers: effect.after.respondents,
      }),
    ),
    sentences.length ? h('ul', { class: 'effect-words' }, sentences.map((s) => h('li', { text: s }))) : null,
    h('p', { class: 'effect-use', text: useText(effect) }),
  );
}

/**
 * Why a team sees no figures: too few members for any week to be shown, or no week with enough
 * answers yet. Friendly, and it says what protects them.
 * @param {{members: number, threshold: number}} team
 */
export function tooSmall({ members, threshold }) {
  const small = members < threshold;
  return h(
    'section',
    { class: 'notice explanation', 'aria-labelledby': 'too-small-title' },
    h('h2', { id: 'too-small-title', text: small ? t('insights.small_title', { k: threshold }) : t('insights.none_title') }),
    h('p', { text: small ? t('insights.small_text', { members, k: threshold }) : t('insights.none_text', { k: threshold }) }),
    h('p', { text: t('insights.small_still') }),
  );
}

/**
 * The two week charts of a team or the organisation: calm and flow (up is good), and workload on
 * its own (down is good), a suppressed week a gap; the table alternative shows the answers too.
 * @param {{week: string, calm: number | null, flow: number | null, workload: number | null, suppressed: boolean, respondents: number, members: number}[]} rows
 */
export function trendCharts(rows) {
  const weeks = rows.map((r) => r.week);
  /** @param {Metric} metric */
  const values = (metric) => rows.map((r) => (r.suppressed ? null : r[metric]));
  const answers = rows.map((r) => t('insights.answered_of', { answered: r.respondents, members: r.members }));
  return [
    lineChart({
      title: t('insights.calm_flow'),
      hint: t('insights.up_is_good'),
      weeks,
      series: [
        { metric: 'calm', values: values('calm') },
        { metric: 'flow', values: values('flow') },
      ],
      answers,
    }),
    lineChart({ title: t('rating.workload'), hint: t('insights.down_is_good'), weeks, series: [{ metric: 'workload', values: values('workload') }], answers }),
  ];
}

/**
 * The comments the team's members shared, by week (newest first), in the server's order within a
 * week (random, unrelated to author or day).
 * @param {{week_start: string, text: string}[]} comments
 */
export function sharedComments(comments) {
  /** @type {Map<string, string[]>} */
  const byWeek = new Map();
  for (const c of [...comments].sort((a, b) => b.week_start.localeCompare(a.week_start))) {
    byWeek.set(c.week_start, [...(byWeek.get(c.week_start) ?? []), c.text]);
  }
  if (!byWeek.size) return h('p', { class: 'muted', text: t('insights.no_comments') });
  return h(
    'div',
    { class: 'comments' },
    [...byWeek].map(([week, texts]) =>
      h('div', { class: 'comment-week' }, h('h3', { text: weekLabel(week) }), h('ul', {}, texts.map((text) => h('li', { text })))),
    ),
  );
}
