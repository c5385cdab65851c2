/** The follow-up meeting on one sheet (A4, print CSS in insights.css): the agenda, and for each
 * solution due for review its before/after, use and the Opfølgning questions to tick together,
 * then the comments the team shared. A 10-minute meeting has its agenda and its evidence. */

import { getTeamSummary } from '../api.js';
import { loadMe, orgToday } from '../copies.js';
import { insightStyles } from '../charts.js';
import { h } from '../dom.js';
import { addDays, formatDate, t, weekLabel } from '../i18n.js';
import { effectBlock, sharedComments, tooSmall } from '../insights.js';
import { describeError } from '../messages.js';
import { loadView } from '../view.js';

/** @typedef {import('../insights.js').SolutionEffect} SolutionEffect */

/** A solution comes up at the meeting while it is tried, or when its review date is near. */
const SOON_DAYS = 14;
/** The comments of this many newest shown weeks go on the sheet. */
const COMMENT_WEEKS = 4;
const EFFECTS = ['followup.effect.more_calm', 'followup.effect.better_flow', 'followup.effect.could_relax', 'followup.effect.not_all_at_once'];
const LEVELS = ['followup.level.less', 'followup.level.same', 'followup.level.more'];
const DECISIONS = ['followup.decision.keep', 'followup.decision.adjust', 'followup.decision.drop'];

/** @param {SolutionEffect} s @param {string} day */
function isDue(s, day) {
  if (s.status === 'trial') return true;
  return s.status === 'adopted' && s.review_date !== null && s.review_date <= addDays(day, SOON_DAYS);
}

/** An empty box to tick on paper, with its word. @param {string} label */
const box = (label) => h('span', { class: 'tick' }, h('span', { class: 'box', 'aria-hidden': 'true' }), label);

/** The Opfølgning questions of one solution, to answer on paper. @param {SolutionEffect} s */
function questions(s) {
  return h(
    'div',
    { class: 'questions-sheet' },
    h(
      'table',
      { class: 'data ticks' },
      h('caption', { text: t('print.questions', { title: s.title }) }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('followup.effects_title') }), LEVELS.map((l) => h('th', { scope: 'col', text: t(l) })))),
      h(
        'tbody',
        {},
        EFFECTS.map((e) => h('tr', {}, h('th', { scope: 'row', text: t(e) }), LEVELS.map(() => h('td', {}, h('span', { class: 'box', 'aria-hidden': 'true' }))))),
      ),
    ),
    h('p', { class: 'write-line' }, h('strong', { text: `${t('followup.negative')}:` })),
    h('p', { class: 'ticks-row' }, h('strong', { text: `${t('followup.decision_title')} ` }), DECISIONS.map((d) => box(t(d)))),
    h('p', { class: 'write-line' }, h('strong', { text: `${t('followup.next_review')}:` })),
  );
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const loaded = await loadView(root, ctx, {
    title: t('print.title'),
    load: async () => {
      const team = (await loadMe()).value.team.id;
      const [summary, day] = await Promise.all([getTeamSummary(team), orgToday(), insightStyles()]);
      return { summary, day };
    },
  });
  if (!loaded) return;
  const { summary, day } = loaded;
  const due = summary.solutions
    .filter((s) => isDue(s, day))
    .sort((a, b) => (a.review_date ?? '9999').localeCompare(b.review_date ?? '9999'));
  const shownWeeks = summary.weeks.filter((w) => !w.suppressed).map((w) => w.week_start);
  const recent = new Set(shownWeeks.slice(-COMMENT_WEEKS));
  const comments = summary.comments.filter((c) => recent.has(c.week_start));
  const printButton = h('button', { type: 'button', class: 'primary' }, t('print.print'));
  printButton.addEventListener('click', () => window.print());
  const last = summary.weeks.at(-1)?.week_start;

  root.append(
    h('p', { class: 'eyebrow screen-only' }, h('a', { href: '/team' }, t('print.back'))),
    h(
      'article',
      { class: 'sheet' },
      h('h1', { tabindex: '-1', text: t('print.heading', { team: summary.team.name }) }),
      h('p', { class: 'muted' }, t('print.meta', { date: formatDate(day), week: last ? weekLabel(last) : '–', k: summary.threshold })),
      h(
        'section',
        { 'aria-labelledby': 'agenda' },
        h('h2', { id: 'agenda', text: t('print.agenda') }),
        h('ol', { class: 'agenda' }, ['print.agenda.1', 'print.agenda.2', 'print.agenda.3', 'print.agenda.4'].map((k) => h('li', { text: t(k) }))),
      ),
      shownWeeks.length ? null : tooSmall({ members: summary.members, threshold: summary.threshold }),
      due.length
        ? due.map((s) => h('section', { class: 'sheet-solution', 'aria-label': s.title }, effectBlock(s, { level: 'h2' }), questions(s)))
        : h('p', { class: 'notice', text: t('print.none_due') }),
      h(
        'section',
        { class: 'sheet-comments', 'aria-labelledby': 'sheet-comments' },
        h('h2', { id: 'sheet-comments', text: t('print.comments') }),
        sharedComments(comments),
      ),
    ),
    h('div', { class: 'screen-only print-actions' }, printButton),
  );
}
