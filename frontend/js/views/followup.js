/** Opfølgning: the follow-up meeting's evaluation of a solution in trial — effects, negative
 * consequences, decision (keep, adjust, drop). Works offline: the evaluation goes through the
 * outbox with a client_id, so a retry is stored once. */

import { evaluationsPath } from '../api.js';
import { loadBoard, orgToday } from '../copies.js';
import { h, uid } from '../dom.js';
import { dateField, field, reviewNote, statusBadge, valueOf } from '../forms.js';
import { addDays, t } from '../i18n.js';
import { errorText } from '../messages.js';
import { GUIDES } from '../pux.js';
import { heading, loadView, offlineNotice } from '../view.js';

/** @typedef {import('../api.js').Solution} Solution */

const EFFECTS = [
  { name: 'more_calm', label: 'followup.effect.more_calm' },
  { name: 'better_flow', label: 'followup.effect.better_flow' },
  { name: 'could_relax', label: 'followup.effect.could_relax' },
  { name: 'not_all_at_once', label: 'followup.effect.not_all_at_once' },
];
const LEVELS = [
  { value: 'less', label: 'followup.level.less' },
  { value: 'same', label: 'followup.level.same' },
  { value: 'more', label: 'followup.level.more' },
];
const DECISIONS = [
  { value: 'keep', label: 'followup.decision.keep', hint: 'followup.decision.keep_hint' },
  { value: 'adjust', label: 'followup.decision.adjust', hint: 'followup.decision.adjust_hint' },
  { value: 'drop', label: 'followup.decision.drop', hint: 'followup.decision.drop_hint' },
];
const NEXT_REVIEW_DAYS = 14;

/**
 * A radio group in the app's style (a fieldset named by its legend).
 * @param {{name: string, legend: string, options: {value: string, label: string}[], className?: string}} spec
 */
function radios({ name, legend, options, className = 'segmented' }) {
  return h(
    'fieldset',
    { role: 'radiogroup', class: className },
    h('legend', { text: legend }),
    h(
      'div',
      { class: 'options' },
      options.map((option) => {
        const id = uid(name);
        return h('div', { class: 'option' }, h('input', { type: 'radio', id, name, value: option.value }), h('label', { for: id }, h('span', { class: 'word', text: option.label })));
      }),
    ),
  );
}

/** @param {HTMLFormElement} form @param {string} name @returns {string | null} */
function checked(form, name) {
  const input = /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="${name}"]:checked`));
  return input ? input.value : null;
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const loaded = await loadView(root, ctx, { title: t('followup.title'), load: () => Promise.all([loadBoard(), orgToday()]) });
  if (!loaded) return;
  const [{ board, offline }, day] = loaded;
  const notice = offline ? offlineNotice(t('followup.offline_notice')) : null;
  if (!ctx.params.id) {
    listView(root, board.solutions, day, notice);
    return;
  }
  const solution = board.solutions.find((s) => s.id === Number(ctx.params.id));
  if (!solution) {
    root.append(heading(t('followup.title')), h('p', { class: 'notice', text: t('followup.not_found') }), h('a', { href: '/followup' }, t('followup.all')));
    return;
  }
  formView(root, ctx, solution, day, notice);
}

/**
 * The solutions being tried, the ones due for follow-up first.
 * @param {HTMLElement} root @param {Solution[]} solutions @param {string} day
 * @param {HTMLElement | null} notice
 */
function listView(root, solutions, day, notice) {
  const inUse = solutions
    .filter((s) => s.status === 'trial' || s.status === 'adopted')
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'trial' ? -1 : 1) || (a.review_date ?? '9999').localeCompare(b.review_date ?? '9999'));
  root.append(
    h('p', { class: 'eyebrow', text: t('solutions.title') }),
    heading(t('followup.title')),
    h('p', { class: 'lead', text: t('followup.intro') }),
    notice ?? '',
    inUse.length
      ? h(
          'ul',
          { class: 'links followups' },
          inUse.map((s) =>
            h(
              'li',
              {},
              h('a', { href: `/followup/${s.id}` }, h('span', { class: `badge badge-${s.perspective}`, 'aria-hidden': 'true', text: s.perspective }), ' ', s.title),
              statusBadge(s.status),
              reviewNote(s, day, 'span'),
            ),
          ),
        )
      : h('p', { class: 'notice', text: t('followup.none') }),
    h('p', {}, h('a', { href: '/solutions' }, t('followup.back'))),
  );
}

/** The decision, each with what it means. */
function decisionGroup() {
  return h(
    'fieldset',
    { role: 'radiogroup', class: 'decisions' },
    h('legend', { text: t('followup.decision_title') }),
    DECISIONS.map((d) => {
      const id = uid('decision');
      const hintId = `${id}-hint`;
      return h(
        'div',
        { class: 'decision' },
        h('div', { class: 'check' }, h('input', { type: 'radio', id, name: 'decision', value: d.value, 'aria-describedby': hintId }), h('label', { for: id, text: t(d.label) })),
        h('p', { id: hintId, class: 'hint', text: t(d.hint) }),
      );
    }),
  );
}

/**
 * The evaluation as the form holds it, or the words for what is missing.
 * @param {HTMLFormElement} form @param {string} day
 * @returns {{body: import('../api.js').EvaluationBody} | {problem: string, focus?: string}}
 */
function evaluationFrom(form, day) {
  const choice = /** @type {'keep' | 'adjust' | 'drop' | null} */ (checked(form, 'decision'));
  const meetingDate = valueOf(form, 'meeting_date');
  if (!choice) return { problem: t('followup.decision_missing'), focus: 'input[name="decision"]' };
  if (!meetingDate || meetingDate > day) return { problem: t('followup.date_invalid'), focus: 'input[name="meeting_date"]' };
  /** @param {string} name */
  const effect = (name) => /** @type {import('../api.js').Effect | null} */ (checked(form, name));
  /** @type {import('../api.js').EvaluationBody} */
  const body = {
    client_id: crypto.randomUUID(),
    more_calm: effect('more_calm'),
    better_flow: effect('better_flow'),
    could_relax: effect('could_relax'),
    not_all_at_once: effect('not_all_at_once'),
    negative_consequences: valueOf(form, 'negative_consequences'),
    decision: choice,
    meeting_date: meetingDate,
  };
  if (choice === 'adjust') {
    const title = valueOf(form, 'title');
    if (!title) return { problem: t('solutions.title_missing'), focus: 'input[name="title"]' };
    body.title = title;
    body.details = valueOf(form, 'details');
  }
  if (choice !== 'drop') body.review_date = valueOf(form, 'review_date') || null;
  return { body };
}

/**
 * The follow-up form of one solution; sent through the outbox (offline too).
 * @param {HTMLElement} root @param {import('../router.js').Context} ctx @param {Solution} solution
 * @param {string} day the organisation's today @param {HTMLElement | null} notice
 */
function formView(root, ctx, solution, day, notice) {
  const adjustFields = h(
    'div',
    { class: 'stack adjust' },
    h('p', { class: 'hint', text: t('followup.adjust_intro') }),
    field({ label: t('solutions.field.title'), name: 'title', value: solution.title, max: 120, required: true }),
    field({ label: t('solutions.field.details'), name: 'details', value: solution.details, max: 2000, multiline: true }),
  );
  adjustFields.hidden = true;
  const review = dateField({ label: t('followup.next_review'), name: 'review_date', value: addDays(day, NEXT_REVIEW_DAYS), min: day });
  review.hidden = true;
  const sendButton = h('button', { type: 'submit', class: 'primary' }, t('followup.save'));
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'followup', novalidate: true },
      dateField({ label: t('followup.meeting_date'), name: 'meeting_date', value: day, max: day }),
      h('h2', { text: t('followup.effects_title') }),
      h('p', { class: 'hint', text: t('followup.effects_intro') }),
      EFFECTS.map((e) => radios({ name: e.name, legend: t(e.label), options: LEVELS.map((l) => ({ value: l.value, label: t(l.label) })) })),
      field({ label: t('followup.negative'), name: 'negative_consequences', max: 2000, multiline: true, hint: t('followup.negative_hint') }),
      decisionGroup(),
      adjustFields,
      review,
      sendButton,
    )
  );
  form.addEventListener('change', () => {
    const choice = checked(form, 'decision');
    adjustFields.hidden = choice !== 'adjust';
    review.hidden = choice !== 'adjust' && choice !== 'keep';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = evaluationFrom(form, day);
    if ('problem' in result) {
      ctx.announce(result.problem, 'error');
      if (result.focus) /** @type {HTMLElement | null} */ (form.querySelector(result.focus))?.focus();
      return;
    }
    const { body } = result;
    sendButton.disabled = true;
    try {
      const item = await ctx.outbox.submitRequest({
        id: `evaluation:${body.client_id}`,
        date: body.meeting_date,
        method: 'POST',
        path: evaluationsPath(solution.id),
        title: solution.title,
        body,
      });
      if (item.state === 'failed') {
        ctx.announce(errorText(item.error, item.detail), 'error');
        return;
      }
      ctx.navigate('/solutions');
      ctx.announce(item.state === 'sent' ? t('followup.saved') : t('followup.queued'));
    } finally {
      sendButton.disabled = false;
    }
  });

  root.append(
    h('p', { class: 'eyebrow', text: t('followup.title') }),
    heading(h('span', { class: `badge badge-${solution.perspective}`, 'aria-hidden': 'true', text: solution.perspective }), ' ', solution.title),
    h('p', { class: 'muted' }, t(GUIDES[solution.perspective].name), ' · ', statusBadge(solution.status)),
    solution.details ? h('p', { class: 'details', text: solution.details }) : '',
    notice ?? '',
    form,
  );
}
