/** Labelled form fields and small pieces shared by the solution screens; text goes in as text. */

import { h, uid } from './dom.js';
import { formatDate, t } from './i18n.js';
import { STATUS_LABELS } from './pux.js';

/**
 * A labelled text field. @param {{label: string, name: string, value?: string, max: number,
 * multiline?: boolean, required?: boolean, hint?: string}} spec
 */
export function field({ label, name, value = '', max, multiline = false, required = false, hint }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : null;
  const input = multiline
    ? h('textarea', { id, name, rows: '3', maxlength: String(max), 'aria-describedby': hintId })
    : h('input', { id, name, type: 'text', maxlength: String(max), required, autocomplete: 'off', 'aria-describedby': hintId });
  input.value = value;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null, input);
}

/** @param {{label: string, name: string, value: string, options: {value: string, label: string}[]}} spec */
export function select({ label, name, value, options }) {
  const id = uid(name);
  const input = h('select', { id, name }, options.map((o) => h('option', { value: o.value, selected: o.value === value, text: o.label })));
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
}

/** @param {{label: string, name: string, value: string | null, min?: string, max?: string}} spec */
export function dateField({ label, name, value, min, max }) {
  const id = uid(name);
  const input = h('input', { id, name, type: 'date', min, max });
  input.value = value ?? '';
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
}

/** A labelled checkbox. @param {{label: string, name: string, checked: boolean}} spec */
export function checkField({ label, name, checked }) {
  const id = uid(name);
  const input = h('input', { id, name, type: 'checkbox', checked });
  return { input, element: h('div', { class: 'check' }, input, h('label', { for: id, text: label })) };
}

/** A labelled time of day (HH:MM). @param {{label: string, name: string, value: string, hint?: string}} spec */
export function timeField({ label, name, value, hint }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { id, name, type: 'time', required: true, 'aria-describedby': hintId });
  input.value = value;
  const element = h('div', { class: 'field' }, h('label', { for: id, text: label }), hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null, input);
  return { input, element };
}

const WEEKDAYS = [
  ['weekday.1', 'weekday.short.1'],
  ['weekday.2', 'weekday.short.2'],
  ['weekday.3', 'weekday.short.3'],
  ['weekday.4', 'weekday.short.4'],
  ['weekday.5', 'weekday.short.5'],
  ['weekday.6', 'weekday.short.6'],
  ['weekday.7', 'weekday.short.7'],
];

/**
 * Monday to Sunday as checkboxes in a group; each one's name is the whole day's name.
 * @param {{legend: string, name: string, value: number[]}} spec
 */
export function weekdaysField({ legend, name, value }) {
  const boxes = WEEKDAYS.map(([full, short], index) => {
    const id = uid(name);
    const input = h('input', { id, name, type: 'checkbox', value: String(index + 1), checked: value.includes(index + 1) });
    const label = h('label', { for: id, 'aria-label': t(full) }, h('span', { class: 'word', text: t(short), 'aria-hidden': 'true' }));
    return { input, element: h('div', { class: 'option' }, input, label) };
  });
  const element = h(
    'fieldset',
    { class: 'segmented weekdays' },
    h('legend', { text: legend }),
    h('div', { class: 'options' }, boxes.map((box) => box.element)),
  );
  return { element, value: () => boxes.filter((box) => box.input.checked).map((box) => Number(box.input.value)) };
}

/** @param {HTMLFormElement} form @param {string} name @returns {string} */
export function valueOf(form, name) {
  const el = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
  return el ? el.value.trim() : '';
}

/** A status as a badge: the word, never colour alone. @param {import('./api.js').SolutionStatus} status */
export function statusBadge(status) {
  return h('span', { class: `state-badge state-${status}`, text: t(STATUS_LABELS[status]) });
}

/**
 * When the team meets to follow up; once the date has come, it says so (holding on to the method).
 * @param {import('./api.js').Solution} solution @param {string} day the organisation's today
 * @param {'p' | 'span'} [tag]
 */
export function reviewNote(solution, day, tag = 'p') {
  if (!solution.review_date || solution.status === 'dropped' || solution.status === 'proposed') return null;
  const date = formatDate(solution.review_date);
  return solution.review_date <= day
    ? h(tag, { class: 'due', text: t('solutions.review_due', { date }) })
    : h(tag, { class: 'muted', text: t('solutions.review_on', { date }) });
}
