/** Løsninger: the team's situations with their solutions grouped by P, U, X; add, edit, change
 * status (dropping asks first: it takes the solution off every member's Tjek ind). */

import { createSituation, createSolution, updateSituation, updateSolution } from '../api.js';
import { loadBoard, orgToday } from '../copies.js';
import { append, h } from '../dom.js';
import { dateField, field, reviewNote, select, statusBadge, valueOf } from '../forms.js';
import { t } from '../i18n.js';
import { describeError } from '../messages.js';
import { GUIDES, PERSPECTIVES, STATUS_ACTIONS, STATUS_LABELS } from '../pux.js';
import { confirmAction, heading, loadView, offlineNotice, onReconnect } from '../view.js';

/** @typedef {import('../api.js').Situation} Situation */
/** @typedef {import('../api.js').Solution} Solution */
/** @typedef {import('../api.js').SolutionStatus} SolutionStatus */
/** @typedef {import('../api.js').Perspective} Perspective */
/**
 * What the parts of this screen share.
 * @typedef {Object} Screen
 * @property {import('../router.js').Context} ctx
 * @property {import('../api.js').TeamBoard} board
 * @property {boolean} offline     the board is the copy kept on the device: nothing can be changed
 * @property {string} day          the organisation's today
 * @property {() => void} draw
 */

const SITUATION_STATUSES = /** @type {const} */ (['open', 'parked', 'handled']);
const SITUATION_LABELS = { open: 'situation.status.open', parked: 'situation.status.parked', handled: 'situation.status.handled' };

/**
 * Runs a change against the server; on success redraws and moves focus to `focusId`.
 * @template T @param {Screen} screen @param {() => Promise<T>} change @param {(result: T) => void} apply
 * @param {string} message @param {(result: T) => string} focusId
 */
async function save(screen, change, apply, message, focusId) {
  try {
    const result = await change();
    apply(result);
    screen.draw();
    screen.ctx.announce(message);
    /** @type {HTMLElement | null} */ (document.getElementById(focusId(result)))?.focus();
    return true;
  } catch (error) {
    screen.ctx.announce(describeError(error), 'error');
    return false;
  }
}

/** @template {{id: number}} T @param {T[]} list @param {T} updated */
function put(list, updated) {
  const i = list.findIndex((s) => s.id === updated.id);
  if (i >= 0) list[i] = updated;
  else list.push(updated);
}

/** A form that refuses an empty title. @param {Screen} screen @param {HTMLFormElement} form @param {(title: string) => void} submit */
function onSubmitWithTitle(screen, form, submit) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const title = valueOf(form, 'title');
    if (!title) {
      screen.ctx.announce(t('solutions.title_missing'), 'error');
      /** @type {HTMLElement | null} */ (form.elements.namedItem('title'))?.focus();
      return;
    }
    submit(title);
  });
}

const perspectiveOptions = () => PERSPECTIVES.map((p) => ({ value: p, label: t(GUIDES[p].name) }));

/** The status changes a solution can take, as buttons. @param {Screen} screen @param {Solution} solution */
function statusButtons(screen, solution) {
  return STATUS_ACTIONS[solution.status].map((action) => {
    const to = /** @type {SolutionStatus} */ (action.to);
    const change = async () => {
      if (
        to === 'dropped' &&
        !(await confirmAction({
          title: t('solutions.drop_title', { title: solution.title }),
          text: t('solutions.drop_text'),
          confirm: t('solutions.drop_confirm'),
        }))
      ) {
        return;
      }
      await save(
        screen,
        () => updateSolution(solution.id, { status: to }),
        (updated) => put(screen.board.solutions, updated),
        t('solutions.status_changed', { title: solution.title, status: t(STATUS_LABELS[to]) }),
        () => `solution-${solution.id}`,
      );
    };
    return h('button', { type: 'button', class: 'button-small', disabled: screen.offline, on: { click: () => void change() } }, t(action.label));
  });
}

/** @param {Screen} screen @param {Solution} solution */
function solutionForm(screen, solution) {
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack', novalidate: true },
      select({ label: t('solutions.field.perspective'), name: 'perspective', value: solution.perspective, options: perspectiveOptions() }),
      field({ label: t('solutions.field.title'), name: 'title', value: solution.title, max: 120, required: true }),
      field({ label: t('solutions.field.details'), name: 'details', value: solution.details, max: 2000, multiline: true }),
      select({
        label: t('solutions.field.situation'),
        name: 'situation_id',
        value: String(solution.situation_id ?? ''),
        options: [{ value: '', label: t('solutions.no_situation') }, ...screen.board.situations.map((s) => ({ value: String(s.id), label: s.title }))],
      }),
      dateField({ label: t('solutions.field.review_date'), name: 'review_date', value: solution.review_date }),
      h('button', { type: 'submit', disabled: screen.offline }, t('common.save')),
    )
  );
  onSubmitWithTitle(screen, form, (title) => {
    const situation = valueOf(form, 'situation_id');
    void save(
      screen,
      () =>
        updateSolution(solution.id, {
          perspective: /** @type {Perspective} */ (valueOf(form, 'perspective')),
          title,
          details: valueOf(form, 'details'),
          situation_id: situation ? Number(situation) : null,
          review_date: valueOf(form, 'review_date') || null,
        }),
      (updated) => put(screen.board.solutions, updated),
      t('solutions.saved'),
      () => `solution-${solution.id}`,
    );
  });
  return form;
}

/** @param {Screen} screen @param {Solution} solution */
function solutionCard(screen, solution) {
  const headingId = `solution-${solution.id}`;
  return h(
    'li',
    { class: 'solution-card' },
    h('div', { class: 'title-row' }, h('h4', { id: headingId, tabindex: '-1', text: solution.title }), statusBadge(solution.status)),
    solution.details ? h('p', { class: 'details', text: solution.details }) : null,
    reviewNote(solution, screen.day),
    h(
      'div',
      { class: 'row', role: 'group', 'aria-label': t('solutions.actions_for', { title: solution.title }) },
      statusButtons(screen, solution),
      solution.status === 'trial' || solution.status === 'adopted'
        ? h('a', { class: 'button button-small', href: `/followup/${solution.id}` }, t('solutions.followup'))
        : null,
    ),
    h('details', { class: 'edit' }, h('summary', { text: t('solutions.edit_solution') }), solutionForm(screen, solution)),
  );
}

/** @param {Screen} screen @param {number | null} situationId */
function addSolutionForm(screen, situationId) {
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack', novalidate: true },
      select({ label: t('solutions.field.perspective'), name: 'perspective', value: 'P', options: perspectiveOptions() }),
      field({ label: t('solutions.field.title'), name: 'title', max: 120, required: true }),
      field({ label: t('solutions.field.details'), name: 'details', max: 2000, multiline: true }),
      h('button', { type: 'submit' }, t('solutions.add_solution')),
    )
  );
  onSubmitWithTitle(screen, form, (title) => {
    void save(
      screen,
      () =>
        createSolution(screen.board.team_id, {
          perspective: /** @type {Perspective} */ (valueOf(form, 'perspective')),
          title,
          details: valueOf(form, 'details'),
          situation_id: situationId,
        }),
      (created) => put(screen.board.solutions, created),
      t('solutions.added', { title }),
      (created) => `solution-${created.id}`,
    );
  });
  return h('details', { class: 'add' }, h('summary', { text: t('solutions.add_solution') }), form);
}

/** @param {Screen} screen @param {Solution[]} solutions */
function byPerspective(screen, solutions) {
  return PERSPECTIVES.map((p) => {
    const mine = solutions.filter((s) => s.perspective === p);
    if (mine.length === 0) return null;
    return h(
      'div',
      { class: 'perspective' },
      h('h3', {}, h('span', { class: `badge badge-${p}`, 'aria-hidden': 'true', text: p }), ' ', t(GUIDES[p].name)),
      h('ul', { class: 'solution-list' }, mine.map((s) => solutionCard(screen, s))),
    );
  });
}

/** @param {Screen} screen @param {Situation} situation */
function situationForm(screen, situation) {
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
      h('button', { type: 'submit' }, t('common.save')),
    )
  );
  onSubmitWithTitle(screen, form, (title) => {
    void save(
      screen,
      () =>
        updateSituation(situation.id, {
          title,
          when: valueOf(form, 'when'),
          description: valueOf(form, 'description'),
          status: /** @type {import('../api.js').SituationStatus} */ (valueOf(form, 'status')),
        }),
      (updated) => put(screen.board.situations, updated),
      t('solutions.saved'),
      () => `situation-${situation.id}`,
    );
  });
  return h('details', { class: 'edit' }, h('summary', { text: t('situation.edit') }), form);
}

/** @param {Screen} screen @param {Situation} situation */
function situationSection(screen, situation) {
  const headingId = `situation-${situation.id}`;
  const solutions = screen.board.solutions.filter((s) => s.situation_id === situation.id);
  return h(
    'section',
    { class: `situation is-${situation.status}`, 'aria-labelledby': headingId },
    h('div', { class: 'title-row' }, h('h2', { id: headingId, tabindex: '-1', text: situation.title }), h('span', { class: 'state-badge', text: t(SITUATION_LABELS[situation.status]) })),
    situation.when ? h('p', { class: 'muted', text: t('situation.when', { when: situation.when }) }) : null,
    situation.description ? h('p', { class: 'details', text: situation.description }) : null,
    solutions.length ? byPerspective(screen, solutions) : h('p', { class: 'muted', text: t('solutions.none_yet') }),
    screen.offline ? null : addSolutionForm(screen, situation.id),
    screen.offline ? null : situationForm(screen, situation),
  );
}

/** @param {Screen} screen */
function addSituationForm(screen) {
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
  onSubmitWithTitle(screen, form, (title) => {
    void save(
      screen,
      () => createSituation(screen.board.team_id, { title, when: valueOf(form, 'when'), description: valueOf(form, 'description') }),
      (created) => put(screen.board.situations, created),
      t('situation.added', { title }),
      (created) => `situation-${created.id}`,
    );
  });
  return h('details', { class: 'add' }, h('summary', { text: t('situation.add') }), form);
}

/** The board itself: actions, situations (open first), solutions without a situation, a new situation.
 * @param {Screen} screen */
function boardParts(screen) {
  const { board, offline } = screen;
  const order = { open: 0, parked: 1, handled: 2 };
  const situations = [...board.situations].sort((a, b) => order[a.status] - order[b.status] || a.id - b.id);
  const loose = board.solutions.filter((s) => s.situation_id === null || !board.situations.some((x) => x.id === s.situation_id));
  const inTrial = board.solutions.filter((s) => s.status === 'trial').length;
  return [
    h(
      'div',
      { class: 'row actions' },
      offline ? null : h('a', { class: 'button primary-link', href: '/solutions/new' }, t('solutions.new')),
      inTrial ? h('a', { class: 'button', href: '/followup' }, t('solutions.followup_count', { count: inTrial })) : null,
    ),
    situations.length || loose.length ? null : h('p', { class: 'notice', text: t('solutions.empty') }),
    situations.map((s) => situationSection(screen, s)),
    loose.length
      ? h('section', { class: 'situation', 'aria-labelledby': 'loose-title' }, h('h2', { id: 'loose-title', text: t('solutions.no_situation') }), byPerspective(screen, loose))
      : null,
    offline ? null : addSituationForm(screen),
  ];
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const loaded = await loadView(root, ctx, {
    title: t('solutions.title'),
    load: () => Promise.all([loadBoard(), orgToday()]),
  });
  if (!loaded) return;
  const [{ board, offline }, day] = loaded;
  const content = h('div');
  /** @type {Screen} */
  const screen = {
    ctx,
    board,
    offline,
    day,
    draw: () => {
      content.replaceChildren();
      append(content, boardParts(screen));
    },
  };
  screen.draw();
  append(root, [
    heading(t('solutions.title')),
    h('p', { class: 'lead', text: t('solutions.intro') }),
    offline ? offlineNotice(t('solutions.offline_notice')) : null,
    content,
  ]);
  // Offline nothing could be changed; back online, the board is fetched again and can be.
  return onReconnect(async () => {
    if (!screen.offline) return;
    try {
      const fresh = await loadBoard();
      if (fresh.offline) return;
      screen.board = fresh.board;
      screen.offline = false;
      screen.draw();
    } catch {
      // Still unreachable: the copy stays as it is.
    }
  });
}
