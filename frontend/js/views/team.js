/** Team: the team's own figures — calm, flow and workload week by week, how many answered, each
 * solution's before/after and use, the comments members shared with the team — and the way to
 * the printable follow-up sheet. A team too small to be shown gets an explanation, not empty charts. */

import { getTeamSummary } from '../api.js';
import { insightStyles, participation } from '../charts.js';
import { loadMe } from '../copies.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { DEFAULT_RANGE, effectBlock, rangeStart, rangeSwitch, sharedComments, sinceFirstMembers, tooSmall, trendCharts } from '../insights.js';
import { describeError } from '../messages.js';
import { loadView } from '../view.js';

/** @typedef {import('../insights.js').TeamSummary} TeamSummary */

/** @param {TeamSummary} summary */
const weekRows = (summary) => summary.weeks.map((w) => ({ ...w, week: w.week_start }));

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const first = await loadView(root, ctx, {
    title: t('team.title'),
    load: async () => {
      const team = (await loadMe()).value.team.id;
      const [summary] = await Promise.all([getTeamSummary(team), insightStyles()]);
      return { team, summary };
    },
  });
  if (!first) return;
  const { team, summary } = first;
  const closedThrough = summary.closed_through;
  /** @type {Map<number, Promise<TeamSummary>>} */
  const loaded = new Map([[DEFAULT_RANGE, Promise.resolve(summary)]]);
  const figures = h('div', { class: 'figures' });
  const people = h('div');

  /** @param {TeamSummary} current */
  function drawWeeks(current) {
    const rows = sinceFirstMembers(weekRows(current));
    const shown = rows.some((r) => !r.suppressed);
    figures.replaceChildren(
      shown
        ? h('div', { class: 'chart-grid' }, trendCharts(rows).map((c) => c.element))
        : tooSmall({ members: current.members, threshold: current.threshold }),
    );
    people.replaceChildren(
      rows.length
        ? participation({ caption: t('team.participation_caption'), weeks: [...rows].reverse() })
        : h('p', { class: 'muted', text: t('insights.no_closed_weeks') }),
    );
  }

  /** @param {number} weeks */
  async function changeRange(weeks) {
    if (!loaded.has(weeks)) loaded.set(weeks, getTeamSummary(team, rangeStart(closedThrough, weeks)));
    try {
      drawWeeks(await /** @type {Promise<TeamSummary>} */ (loaded.get(weeks)));
    } catch (error) {
      loaded.delete(weeks);
      ctx.announce(describeError(error), 'error');
    }
  }

  const hasFigures = summary.weeks.some((w) => !w.suppressed) || summary.members >= summary.threshold;
  root.append(
    h('p', { class: 'eyebrow', text: t('team.title') }),
    h('div', { class: 'title-row' }, h('h1', { tabindex: '-1', text: summary.team.name }), h('a', { href: '/team/print', class: 'button' }, t('team.print_link'))),
    h('p', { class: 'lead', text: t('team.intro', { k: summary.threshold }) }),
    hasFigures ? rangeSwitch(DEFAULT_RANGE, (weeks) => void changeRange(weeks)) : '',
    h('section', { 'aria-labelledby': 'team-weeks' }, h('h2', { id: 'team-weeks', text: t('team.weeks_title') }), figures),
    h('section', { 'aria-labelledby': 'team-people' }, h('h2', { id: 'team-people', text: t('team.participation') }), people),
    h(
      'section',
      { 'aria-labelledby': 'team-solutions' },
      h('h2', { id: 'team-solutions', text: t('team.solutions') }),
      h('p', { class: 'hint', text: t('team.solutions_intro') }),
      summary.solutions.length
        ? summary.solutions.map((s) => effectBlock(s))
        : h('p', { class: 'muted', text: t('team.no_solutions') }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'team-comments' },
      h('h2', { id: 'team-comments', text: t('team.comments') }),
      h('p', { class: 'hint', text: t('team.comments_intro') }),
      sharedComments(summary.comments),
    ),
  );
  drawWeeks(summary);
}
