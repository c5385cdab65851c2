/** Løsninger: the team's situations with their solutions grouped by P, U, X; add, edit, change status. */

import { ApiError } from '../api.js';
import { append, h } from '../dom.js';
import { dateField, field, reviewNote, select, statusBadge, valueOf } from '../forms.js';
import { t } from '../i18n.js';
import { describeError } from '../messages.js';
import {
  GUIDES,
  PERSPECTIVES,
  STATUS_ACTIONS,
  STATUS_LABELS,
  createSituation,
  createSolution,
  loadBoard,
  today,
  updateSituation,
  updateSolution,
} from '../pux.js';
import { forgetMember } from '../session.js';

/** @typedef {import('../pux.js').Situation} Situation */
/** @typedef {import('../pux.js').Solution} Solution */
/** @typedef {import('../pux.js').TeamBoard} TeamBoard */

const SITUATION_STATUSES = /** @type {const} */ (['open', 'parked', 'handled']);
const SITUATION_LABELS = { open: 'situation.status.open', parked: 'situation.status.parked', handled: 'situation.status.handled' };

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  /** @type {TeamBoard} */
  let board;
  /** @type {boolean} */
  let offline;
  try {
    ({ board, offline } = await loadBoard());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      await forgetMember();
      ctx.announce(t('error.unauthorized'), 'error');
      ctx.navigate('/join', { replace: true });
      return;
    }
    root.append(h('h1', { tabindex: '-1', text: t('solutions.title') }), h('p', { class: 'notice', text: describeError(error) }));
    return;
  }
  const day = await today();
  const content = h('div');

  /**
   * Runs a change against the server; on success redraws and moves focus to `focusId`.
   * @template T @param {() => Promise<T>} change @param {(result: T) => void} apply
   * @param {string} message @param {(result: T) => string} focusId
   */
  async function save(change, apply, message, focusId) {
    try {
      const result = await change();
      apply(result);
      draw();
      ctx.announce(message);
      /** @type {HTMLElement | null} */ (document.getElementById(focusId(result)))?.focus();
      return true;
    } catch (error) {
      ctx.announce(describeError(error), 'error');
      return false;
    }
  }

  /** @param {Solution} updated */
  const putSolution = (updated) => {
    const i = board.solutions.findIndex((s) => s.id === updated.id);
    if (i >= 0) board.solutions[i] = updated;
    else board.solutions.push(updated);
  };
  /** @param {Situation} updated */
  const putSituation = (updated) => {
    const i = board.situations.findIndex((s) => s.id === updated.id);
    if (i >= 0) board.situations[i] = updated;
    else board.situations.push(updated);
  };

  /** @param {Solution} solution */
  function solutionCard(solution) {
    const headingId = `solution-${solution.id}`;
    const actions = STATUS_ACTIONS[solution.status].map((action) =>
      h(
        'button',
        {
          type: 'button',
          class: 'button-small',
          disabled: offline,
          on: {
            click: () =>
              void save(
                () => updateSolution(solution.id, { status: /** @type {import('../pux.js').SolutionStatus} */ (action.to) }),
                putSolution,
                t('solutions.status_changed', { title: solution.title, status: t(STATUS_LABELS[/** @type {import('../pux.js').SolutionStatus} */ (action.to)]) }),
                () => headingId,
              ),
          },
        },
        t(action.label),
      ),
    );
    const editForm = /** @type {HTMLFormElement} */ (
      h(
        'form',
        { class: 'stack', novalidate: true },
        select({
          label: t('solutions.field.perspective'),
          name: 'perspective',
          value: solution.perspective,
          options: PERSPECTIVES.map((p) => ({ value: p, label: t(GUIDES[p].name) })),
        }),
        field({ label: t('solutions.field.title'), name: 'title', value: solution.title, max: 120, required: true }),
        field({ label: t('solutions.field.details'), name: 'details', value: solution.details, max: 2000, multiline: true }),
        select({
          label: t('solutions.field.situation'),
          name: 'situation_id',
          value: String(solution.situation_id ?? ''),
          options: [{ value: '', label: t('solutions.no_situation') }, ...board.situations.map((s) => ({ value: String(s.id), label: s.title }))],
        }),
        dateField({ label: t('solutions.field.review_date'), name: 'review_date', value: solution.review_date }),
        h('button', { type: 'submit', disabled: offline }, t('common.save')),
      )
    );
    editForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = valueOf(editForm, 'title');
      if (!title) {
        ctx.announce(t('solutions.title_missing'), 'error');
        return;
      }
      const situation = valueOf(editForm, 'situation_id');
      void save(
        () =>
          updateSolution(solution.id, {
            perspective: /** @type {import('../pux.js').Perspective} */ (valueOf(editForm, 'perspective')),
            title,
            details: valueOf(editForm, 'details'),
            situation_id: situation ? Number(situation) : null,
            review_date: valueOf(editForm, 'review_date') || null,
          }),
        putSolution,
        t('solutions.saved'),
        () => headingId,
      );
    });
    return h(
      'li',
      { class: 'solution-card' },
      h(
        'div',
        { class: 'title-row' },
        h('h4', { id: headingId, tabindex: '-1', text: solution.title }),
        statusBadge(solution.status),
      ),
      solution.details ? h('p', { class: 'details', text: solution.details }) : null,
      reviewNote(solution, day),
      h(
        'div',
        { class: 'row', role: 'group', 'aria-label': t('solutions.actions_for', { title: solution.title }) },
        actions,
        solution.status === 'trial' || solution.status === 'adopted'
          ? h('a', { class: 'button button-small', href: `/followup/${solution.id}` }, t('solutions.followup'))
          : null,
      ),
      h('details', { class: 'edit' }, h('summary', { text: t('solutions.edit_solution') }), editForm),
    );
  }

  /** @param {number | null} situationId */
  function addSolutionForm(situationId) {
    const form = /** @type {HTMLFormElement} */ (
      h(
        'form',
        { class: 'stack', novalidate: true },
        select({
          label: t('solutions.field.perspective'),
          name: 'perspective',
          value: 'P',
          options: PERSPECTIVES.map((p) => ({ value: p, label: t(GUIDES[p].name) })),
        }),
        field({ label: t('solutions.field.title'), name: 'title', max: 120, required: true }),
        field({ label: t('solutions.field.details'), name: 'details', max: 2000, multiline: true }),
        h('button', { type: 'submit', disabled: offline }, t('solutions.add_solution')),
      )
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = valueOf(form, 'title');
      if (!title) {
        ctx.announce(t('solutions.title_missing'), 'error');
        return;
      }
      void save(
        () =>
          createSolution(board.team_id, {
            perspective: /** @type {import('../pux.js').Perspective} */ (valueOf(form, 'perspective')),
            title,
            details: valueOf(form, 'details'),
            situation_id: situationId,
          }),
        putSolution,
        t('solutions.added', { title }),
        (created) => `solution-${created.id}`,
      );
    });
    return h('details', { class: 'add' }, h('summary', { text: t('solutions.add_solution') }), form);
  }

  /** @param {Solution[]} solutions */
  function byPerspective(solutions) {
    return PERSPECTIVES.map((p) => {
      const mine = solutions.filter((s) => s.perspective === p);
      if (mine.length === 0) return null;
      return h(
        'div',
        { class: 'perspective' },
        h('h3', {}, h('span', { class: `badge badge-${p}`, 'aria-hidden': 'true', text: p }), ' ', t(GUIDES[p].name)),
        h('ul', { class: 'solution-list' }, mine.map(solutionCard)),
      );
    });
  }

  /** @param {Situation} situation */
  function situationSection(situation) {
    const headingId = `situation-${situation.id}`;
    const solutions = board.solutions.filter((s) => s.situation_id === situation.id);
    const form = /** @type {HTMLFormElement} */ (
      h(
        'form',
        { class: 'stack', novalidate: true },
        field({ label: t('situation.field.title'), name: 'title', value: situation.title, max: 120, required: true }),
        field({ label: t('situation.field.when'), name: 'when', value: situation.when, max: 60 }),
        field({ label: t('situation.field.description'), name: 'description', value: situation.description, max: 2000, multiline: true }),
        select({
          label: t('situation.field.status'),
          name: 'status',
          value: situation.status,
          options: SITUATION_STATUSES.map((s) => ({ value: s, label: t(SITUATION_LABELS[s]) })),
        }),
        h('button', { type: 'submit', disabled: offline }, t('common.save')),
      )
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = valueOf(form, 'title');
      if (!title) {
        ctx.announce(t('solutions.title_missing'), 'error');
        return;
      }
      void save(
        () =>
          updateSituation(situation.id, {
            title,
            when: valueOf(form, 'when'),
            description: valueOf(form, 'description'),
            status: /** @type {import('../pux.js').SituationStatus} */ (valueOf(form, 'status')),
          }),
        putSituation,
        t('solutions.saved'),
        () => headingId,
      );
    });
    return h(
      'section',
      { class: `situation is-${situation.status}`, 'aria-labelledby': headingId },
      h('div', { class: 'title-row' }, h('h2', { id: headingId, tabindex: '-1', text: situation.title }), h('span', { class: 'state-badge', text: t(SITUATION_LABELS[situation.status]) })),
      situation.when ? h('p', { class: 'muted', text: t('situation.when', { when: situation.when }) }) : null,
      situation.description ? h('p', { class: 'details', text: situation.description }) : null,
      solutions.length ? byPerspective(solutions) : h('p', { class: 'muted', text: t('solutions.none_yet') }),
      offline ? null : addSolutionForm(situation.id),
      offline ? null : h('details', { class: 'edit' }, h('summary', { text: t('situation.edit') }), form),
    );
  }

  function addSituationForm() {
    const form = /** @type {HTMLFormElement} */ (
      h(
        'form',
        { class: 'stack', novalidate: true },
        field({ label: t('situation.field.title'), name: 'title', max: 120, required: true, hint: t('situation.title_hint') }),
        field({ label: t('situation.field.when'), name: 'when', max: 60, hint: t('situation.when_hint') }),
        field({ label: t('situation.field.description'), name: 'description', max: 2000, multiline: true }),
        h('button', { type: 'submit' }, t('situation.add')),
      )
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = valueOf(form, 'title');
      if (!title) {
        ctx.announce(t('solutions.title_missing'), 'error');
        return;
      }
      void save(
        () => createSituation(board.team_id, { title, when: valueOf(form, 'when'), description: valueOf(form, 'description') }),
        putSituation,
        t('situation.added', { title }),
        (created) => `situation-${created.id}`,
      );
    });
    return h('details', { class: 'add' }, h('summary', { text: t('situation.add') }), form);
  }

  function draw() {
    const order = { open: 0, parked: 1, handled: 2 };
    const situations = [...board.situations].sort((a, b) => order[a.status] - order[b.status] || a.id - b.id);
    const loose = board.solutions.filter((s) => s.situation_id === null || !board.situations.some((x) => x.id === s.situation_id));
    const inTrial = board.solutions.filter((s) => s.status === 'trial').length;
    content.replaceChildren();
    append(content, [
      h(
        'div',
        { class: 'row actions' },
        offline ? null : h('a', { class: 'button primary-link', href: '/solutions/new' }, t('solutions.new')),
        inTrial ? h('a', { class: 'button', href: '/followup' }, t('solutions.followup_count', { count: inTrial })) : null,
      ),
      situations.length || loose.length ? null : h('p', { class: 'notice', text: t('solutions.empty') }),
      situations.map(situationSection),
      loose.length
        ? h(
            'section',
            { class: 'situation', 'aria-labelledby': 'loose-title' },
            h('h2', { id: 'loose-title', text: t('solutions.no_situation') }),
            byPerspective(loose),
          )
        : null,
      offline ? null : addSituationForm(),
    ]);
  }

  draw();
  append(root, [
    h('h1', { tabindex: '-1', text: t('solutions.title') }),
    h('p', { class: 'lead', text: t('solutions.intro') }),
    offline ? h('p', { class: 'notice', text: t('solutions.offline_notice') }) : null,
    content,
  ]);
}
