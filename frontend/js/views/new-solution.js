/** Ny løsning: a guided flow for a team meeting on one shared phone or tablet — the situation, one
 * step per perspective with its guiding questions, the ideas, which to try, and when to follow up.
 *
 * The draft lives in sessionStorage, so a reload (or a locked tablet) in the middle of the meeting
 * loses nothing; saving remembers what is already stored, so a retry after an error never creates
 * a situation or a solution twice. */

import { createSituation, createSolution } from '../api.js';
import { loadBoard, orgToday } from '../copies.js';
import { h, uid } from '../dom.js';
import { dateField, field, valueOf } from '../forms.js';
import { addDays, formatDate, t } from '../i18n.js';
import { describeError } from '../messages.js';
import { GUIDES, PERSPECTIVES } from '../pux.js';
import { heading, loadView } from '../view.js';

const DRAFT = 'pux-new-solution';
const REVIEW_AFTER_DAYS = 14;
const STEPS = ['situation', 'P', 'U', 'X', 'choose', 'done'];

/** @typedef {import('../api.js').Perspective} Perspective */
/** @typedef {{key: string, perspective: Perspective, title: string, chosen: boolean, saved_id: number | null}} Idea */
/**
 * @typedef {Object} Draft
 * @property {number} step
 * @property {string} choice         'new' or the id of an existing situation
 * @property {{title: string, when: string, description: string}} situation
 * @property {number | null} situation_id     set once the situation exists on the server
 * @property {Idea[]} ideas
 * @property {string} review_date
 */

/**
 * What the steps share.
 * @typedef {Object} Flow
 * @property {import('../router.js').Context} ctx
 * @property {import('../api.js').TeamBoard} board
 * @property {import('../api.js').Situation[]} open   the team's open situations
 * @property {Draft} draft
 * @property {string} day                              the organisation's today
 * @property {(step: number) => void} go
 */

/** @param {string} reviewDate @returns {Draft} */
function emptyDraft(reviewDate) {
  return { step: 0, choice: 'new', situation: { title: '', when: '', description: '' }, situation_id: null, ideas: [], review_date: reviewDate };
}

/** @returns {Draft | null} */
function loadDraft() {
  try {
    const raw = sessionStorage.getItem(DRAFT);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** @param {Draft} draft */
function saveDraft(draft) {
  sessionStorage.setItem(DRAFT, JSON.stringify(draft));
}

/** @param {Flow} flow @param {string} key @param {Record<string, string | number>} [params] */
const progress = (flow, key, params) =>
  h('p', { class: 'progress' }, t('new.step_of', { step: flow.draft.step + 1, total: STEPS.length - 1 }), ' · ', t(key, params));

/** @param {Flow} flow @param {boolean} next  whether the step has a "Næste" (submit) button */
function navButtons(flow, next) {
  const { draft } = flow;
  return h(
    'div',
    { class: 'row step-nav' },
    draft.step > 0 ? h('button', { type: 'button', on: { click: () => flow.go(draft.step - 1) } }, t('new.back')) : h('a', { class: 'button', href: '/solutions' }, t('common.cancel')),
    next ? h('button', { type: 'submit', class: 'next' }, t('new.next')) : null,
  );
}

/** @param {Flow} flow */
function situationTitle(flow) {
  const { draft } = flow;
  if (draft.choice === 'new') return draft.situation.title;
  return flow.open.find((s) => String(s.id) === draft.choice)?.title ?? '';
}

/** Step 1: an open situation, or a new one described in a few words. @param {Flow} flow */
function situationStep(flow) {
  const { draft, open, ctx } = flow;
  const describe = h(
    'div',
    { class: 'stack' },
    field({ label: t('situation.field.title'), name: 'title', value: draft.situation.title, max: 120, required: true, hint: t('situation.title_hint') }),
    field({ label: t('situation.field.when'), name: 'when', value: draft.situation.when, max: 60, hint: t('situation.when_hint') }),
    field({ label: t('situation.field.description'), name: 'description', value: draft.situation.description, max: 2000, multiline: true }),
  );
  describe.hidden = draft.choice !== 'new';
  const chooser = open.length
    ? h(
        'fieldset',
        { class: 'choices' },
        h('legend', { text: t('new.situation_pick') }),
        [...open.map((s) => ({ value: String(s.id), label: s.when ? `${s.title} (${s.when})` : s.title })), { value: 'new', label: t('new.situation_new') }].map((option) => {
          const id = uid('situation');
          const input = h('input', { type: 'radio', id, name: 'choice', value: option.value, checked: option.value === draft.choice });
          input.addEventListener('change', () => {
            draft.choice = option.value;
            saveDraft(draft);
            describe.hidden = draft.choice !== 'new';
          });
          return h('div', { class: 'check' }, input, h('label', { for: id, text: option.label }));
        }),
      )
    : null;
  const form = /** @type {HTMLFormElement} */ (
    h('form', { novalidate: true }, h('h2', { tabindex: '-1', text: t('new.situation_title') }), progress(flow, 'new.minutes', { minutes: 2 }), h('p', { text: t('new.situation_intro') }), chooser, describe, navButtons(flow, true))
  );
  form.addEventListener('input', () => {
    draft.situation = { title: valueOf(form, 'title'), when: valueOf(form, 'when'), description: valueOf(form, 'description') };
    saveDraft(draft);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (draft.choice === 'new' && !valueOf(form, 'title')) {
      ctx.announce(t('new.situation_missing'), 'error');
      /** @type {HTMLElement | null} */ (form.elements.namedItem('title'))?.focus();
      return;
    }
    flow.go(draft.step + 1);
  });
  return form;
}

/** The ideas written for one perspective, each removable until it is stored.
 * @param {Flow} flow @param {Perspective} perspective @param {HTMLUListElement} list @param {HTMLInputElement} input */
function drawIdeas(flow, perspective, list, input) {
  const { draft } = flow;
  const mine = draft.ideas.filter((i) => i.perspective === perspective);
  /** @param {Idea} idea */
  const remove = (idea) =>
    h(
      'button',
      {
        type: 'button',
        class: 'button-small',
        'aria-label': t('new.remove_idea', { title: idea.title }),
        on: {
          click: () => {
            draft.ideas = draft.ideas.filter((i) => i.key !== idea.key);
            saveDraft(draft);
            drawIdeas(flow, perspective, list, input);
            input.focus();
          },
        },
      },
      t('new.remove'),
    );
  list.replaceChildren(
    ...(mine.length
      ? mine.map((idea) => h('li', {}, h('span', { text: idea.title }), idea.saved_id ? null : remove(idea)))
      : [h('li', { class: 'muted', text: t('new.no_ideas') })]),
  );
}

/** Steps 2–4: one perspective's guiding questions and the team's ideas. @param {Flow} flow @param {Perspective} perspective */
function perspectiveStep(flow, perspective) {
  const { draft, ctx } = flow;
  const guide = GUIDES[perspective];
  const list = /** @type {HTMLUListElement} */ (h('ul', { class: 'ideas', 'aria-label': t('new.ideas_for', { perspective: t(guide.name) }) }));
  const ideaField = field({ label: t('new.idea_label'), name: 'idea', max: 120, hint: t('new.idea_hint') });
  const input = /** @type {HTMLInputElement} */ (ideaField.querySelector('input'));
  const add = () => {
    const title = input.value.replace(/\s+/g, ' ').trim();
    if (!title) {
      input.focus();
      return;
    }
    draft.ideas.push({ key: `${Date.now()}-${Math.random()}`, perspective, title, chosen: true, saved_id: null });
    saveDraft(draft);
    input.value = '';
    drawIdeas(flow, perspective, list, input);
    ctx.announce(t('new.idea_added', { title }));
    input.focus();
  };
  // Enter in the idea field adds the idea (the meeting types one idea after another).
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    }
  });
  drawIdeas(flow, perspective, list, input);
  const form = h(
    'form',
    { novalidate: true },
    h('h2', { tabindex: '-1' }, h('span', { class: `badge badge-${perspective}`, 'aria-hidden': 'true', text: perspective }), ' ', t(guide.name)),
    progress(flow, 'new.minutes', { minutes: 2 }),
    h('p', { class: 'situation-ref', text: t('new.for_situation', { title: situationTitle(flow) }) }),
    h('h3', { text: t('new.questions') }),
    h('ul', { class: 'questions' }, guide.questions.map((q) => h('li', { text: t(q) }))),
    guide.hint ? h('p', { class: 'hint', text: t(guide.hint) }) : null,
    h('div', { class: 'idea-entry' }, ideaField, h('button', { type: 'button', on: { click: add } }, t('new.add_idea'))),
    h('h3', { text: t('new.ideas') }),
    list,
    navButtons(flow, true),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // A typed but not yet added idea is not lost by pressing "Næste".
    if (input.value.trim()) add();
    flow.go(draft.step + 1);
  });
  return form;
}

/** Stores the situation (if new) and every idea not stored yet; each step is remembered at once.
 * @param {Flow} flow */
async function store(flow) {
  const { draft, board } = flow;
  let situationId = draft.choice === 'new' ? draft.situation_id : Number(draft.choice);
  if (situationId === null) {
    const created = await createSituation(board.team_id, draft.situation);
    situationId = created.id;
    draft.situation_id = created.id;
    saveDraft(draft);
  }
  for (const idea of draft.ideas) {
    if (idea.saved_id !== null) continue;
    const created = await createSolution(board.team_id, {
      perspective: idea.perspective,
      title: idea.title,
      situation_id: situationId,
      status: idea.chosen ? 'trial' : 'proposed',
      review_date: idea.chosen ? draft.review_date || null : null,
    });
    idea.saved_id = created.id;
    saveDraft(draft);
  }
}

/** Step 5: which ideas to try, and when to follow up. @param {Flow} flow */
function chooseStep(flow) {
  const { draft, day, ctx } = flow;
  const groups = PERSPECTIVES.map((p) => {
    const ideas = draft.ideas.filter((i) => i.perspective === p);
    if (ideas.length === 0) return null;
    return h(
      'fieldset',
      { class: 'choices' },
      h('legend', { text: t(GUIDES[p].name) }),
      ideas.map((idea) => {
        const id = uid('idea');
        const box = h('input', { type: 'checkbox', id, checked: idea.chosen, disabled: idea.saved_id !== null });
        box.addEventListener('change', () => {
          idea.chosen = box.checked;
          saveDraft(draft);
        });
        return h('div', { class: 'check' }, box, h('label', { for: id, text: idea.title }));
      }),
    );
  });
  const saveButton = h('button', { type: 'submit', class: 'primary' }, t('new.save'));
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true },
      h('h2', { tabindex: '-1', text: t('new.choose_title') }),
      progress(flow, 'new.minutes', { minutes: 2 }),
      draft.ideas.length ? h('p', { text: t('new.choose_intro') }) : h('p', { class: 'notice', text: t('new.choose_none') }),
      groups,
      dateField({ label: t('new.review_label'), name: 'review_date', value: draft.review_date, min: day }),
      h('p', { class: 'hint', text: t('new.review_hint') }),
      draft.ideas.length ? saveButton : null,
      navButtons(flow, false),
    )
  );
  form.addEventListener('input', () => {
    draft.review_date = valueOf(form, 'review_date');
    saveDraft(draft);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    draft.review_date = valueOf(form, 'review_date');
    if (draft.review_date && draft.review_date < day) {
      ctx.announce(t('new.review_past'), 'error');
      return;
    }
    saveButton.disabled = true;
    try {
      await store(flow);
      flow.go(draft.step + 1);
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    } finally {
      saveButton.disabled = false;
    }
  });
  return form;
}

/** The end: what the team tries now, and when it follows up. @param {Flow} flow */
function doneStep(flow) {
  const { draft } = flow;
  const chosen = draft.ideas.filter((i) => i.chosen);
  const trying = chosen.length === 1 ? t('new.done_trial_one') : t('new.done_trial', { count: chosen.length });
  return h(
    'div',
    {},
    h('h2', { tabindex: '-1', text: t('new.done_title') }),
    h('p', { class: 'lead', text: chosen.length ? trying : t('new.done_none') }),
    chosen.length ? h('ul', { class: 'ideas' }, chosen.map((i) => h('li', {}, h('span', { class: `badge badge-${i.perspective}`, 'aria-hidden': 'true', text: i.perspective }), ' ', i.title))) : null,
    chosen.length && draft.review_date ? h('p', { text: t('new.done_review', { date: formatDate(draft.review_date) }) }) : null,
    h('div', { class: 'row' }, h('a', { class: 'button primary-link', href: '/solutions' }, t('new.to_solutions')), h('a', { class: 'button', href: '/' }, t('new.to_today'))),
  );
}

/** @param {Flow} flow */
function stepView(flow) {
  const name = STEPS[flow.draft.step] ?? 'situation';
  if (name === 'situation') return situationStep(flow);
  if (name === 'choose') return chooseStep(flow);
  if (name === 'done') return doneStep(flow);
  return perspectiveStep(flow, /** @type {Perspective} */ (name));
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const loaded = await loadView(root, ctx, { title: t('new.title'), load: () => Promise.all([loadBoard(), orgToday()]) });
  if (!loaded) return;
  const [{ board }, day] = loaded;
  const draft = loadDraft() ?? emptyDraft(addDays(day, REVIEW_AFTER_DAYS));
  const open = board.situations.filter((s) => s.status === 'open');
  if (draft.choice !== 'new' && !open.some((s) => String(s.id) === draft.choice)) draft.choice = 'new';

  const stepBox = h('div', { class: 'guided' });
  /** @type {Flow} */
  const flow = {
    ctx,
    board,
    open,
    draft,
    day,
    go: (step) => {
      draft.step = step;
      if (STEPS[step] === 'done') sessionStorage.removeItem(DRAFT);
      else saveDraft(draft);
      // A step is a new screen to the meeting: what the last one said ("Idéen er tilføjet …") goes.
      ctx.clearMessage();
      stepBox.replaceChildren(stepView(flow));
      /** @type {HTMLElement | null} */ (stepBox.querySelector('h2'))?.focus();
    },
  };
  stepBox.replaceChildren(stepView(flow));
  root.append(h('p', { class: 'eyebrow', text: t('solutions.title') }), heading(t('new.title')), stepBox);
}
