/** Today: rate a work day (Ro, Flow, Arbejdspres), mark the team's solutions, send — offline too. */

import { ApiError, getMe, getToday } from '../api.js';
import { append, h, uid } from '../dom.js';
import { getValue, setValue } from '../idb.js';
import { describeWorkDate, formatDate, shortDate, t } from '../i18n.js';
import { describeError, errorText } from '../messages.js';
import { CHECKIN_SENT } from '../outbox.js';
import { forgetMember } from '../session.js';
import { localNow, moveToToday } from '../workdates.js';

/** @typedef {import('../api.js').Today} Today */
/** @typedef {import('../api.js').CheckinBody} CheckinBody */

/** The three ratings; 1 … 5, each step in words (PRODUCT.md §6). Workload 5 is high pressure. */
const SCALES = [
  { name: 'calm', label: 'rating.calm', steps: ['rating.calm.1', 'rating.calm.2', 'rating.calm.3', 'rating.calm.4', 'rating.calm.5'] },
  { name: 'flow', label: 'rating.flow', steps: ['rating.flow.1', 'rating.flow.2', 'rating.flow.3', 'rating.flow.4', 'rating.flow.5'] },
  { name: 'workload', label: 'rating.workload', steps: ['rating.workload.1', 'rating.workload.2', 'rating.workload.3', 'rating.workload.4', 'rating.workload.5'] },
];

/** A solution mark starts unanswered: a reminder is not a claim that it was used. */
const MARKS = [
  { value: 'yes', label: 'today.used.yes' },
  { value: 'partly', label: 'today.used.partly' },
  { value: 'no', label: 'today.used.no' },
];

const PERSPECTIVES = /** @type {Record<string, string>} */ ({ P: 'perspective.P', U: 'perspective.U', X: 'perspective.X' });

/**
 * One radio group: a fieldset with role radiogroup, named by its legend. Each option is named by
 * its words; `hint` (a rating's number) is shown instead, with the end words under the row.
 * @param {{name: string, legend: Node | string, options: {value: string, label: string, hint?: string}[],
 *          checked: string | null, className: string, description?: string, ends?: [string, string]}} spec
 */
function radioGroup({ name, legend, options, checked, className, description, ends }) {
  const descriptionId = description ? uid(`${name}-desc`) : null;
  return h(
    'fieldset',
    { role: 'radiogroup', class: className, 'aria-describedby': descriptionId },
    h('legend', {}, legend),
    description ? h('p', { class: 'muted description', id: descriptionId, text: description }) : null,
    h(
      'div',
      { class: 'options' },
      options.map((option) => {
        const id = uid(name);
        return h(
          'div',
          { class: 'option' },
          h('input', { type: 'radio', id, name, value: option.value, checked: option.value === checked }),
          h(
            'label',
            { for: id },
            option.hint ? h('span', { class: 'step', 'aria-hidden': 'true', text: option.hint }) : null,
            h('span', { class: 'word', text: option.label }),
          ),
        );
      }),
    ),
    ends ? h('div', { class: 'ends', 'aria-hidden': 'true' }, h('span', { text: ends[0] }), h('span', { text: ends[1] })) : null,
  );
}

/**
 * A quiet word when the chosen date is a holiday or not one of the team's working days.
 * @param {Today['dates'][number] | undefined} day
 */
function dayOff(day) {
  if (!day || day.working_day !== false) return null;
  const text = day.holiday ? t('today.holiday_notice', { name: day.holiday }) : t('today.day_off_notice');
  return h('p', { class: 'notice', text });
}

/** @param {HTMLFormElement} form @param {string} name */
function selected(form, name) {
  const input = /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="${name}"]:checked`));
  return input ? input.value : null;
}

/**
 * The server names a window date `work_date` (PRODUCT.md's contract says `date`); accept both.
 * @param {Today} data
 * @returns {Today}
 */
function normalize(data) {
  const dates = data.dates.map((d) => ({ ...d, date: d.date ?? d.work_date ?? '' }));
  return { ...data, dates };
}

/**
 * The page's data: from the server, else (offline) the last copy kept on the device — moved to the
 * device's today when it is from an earlier day (workdates.js), so no old day is called "i dag".
 * @param {string | undefined} date
 * @param {import('../outbox.js').Outbox} outbox
 * @returns {Promise<{data: Today, offline: boolean, since: string | null}>}  since: the day of the
 *   copy when it is from an earlier day (its solutions are the team's as of then)
 */
async function load(date, outbox) {
  try {
    const data = normalize(await getToday(date));
    // Kept for offline use (every answer of the window comes with it); the screen does not wait.
    keepCopy(data, outbox).catch(() => {});
    if (!date) keepCalendar().catch(() => {});
    return { data, offline: false, since: null };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    /** @type {[Today | undefined, import('../api.js').Me | undefined]} */
    const [copy, me] = await Promise.all([getValue('today'), getValue('me')]);
    if (!copy) throw error;
    const moved = moveToToday(copy, {
      now: localNow(me?.org.timezone),
      workingDays: me?.team.working_days,
      answered: (day) => {
        const item = outbox.forDate(day);
        return Boolean(item && item.state !== 'failed');
      },
    });
    const since = moved.today === copy.today ? null : copy.today;
    // A check-in sent since the copy was kept is rated, though the copy does not say so.
    const sent = (/** @type {string} */ day) => outbox.forDate(day)?.state === 'sent';
    const known = { ...moved, dates: moved.dates.map((d) => (sent(d.date) ? { ...d, rated: true } : d)) };
    if (!date || date === known.work_date || !known.dates.some((d) => d.date === date)) {
      return { data: known, offline: true, since };
    }
    // The copy holds my answer for every date of the window: the form opens with it.
    const checkin = known.checkins?.find((c) => c.work_date === date) ?? (date === copy.work_date ? copy.checkin : null);
    return { data: { ...known, work_date: date, checkin }, offline: true, since };
  }
}

/**
 * Stores the server's answer as the offline copy; then the sent check-ins it knows (rated, or
 * no longer in the window) leave the outbox, which kept them so the copy's gap would not show.
 * @param {Today} data @param {import('../outbox.js').Outbox} outbox
 */
async function keepCopy(data, outbox) {
  await setValue('today', data);
  const rated = new Set(data.dates.filter((d) => d.rated).map((d) => d.date));
  await outbox.forgetSent((day) => rated.has(day) || day < data.window.from);
}

/** The organisation's time zone and the team's working days, for Today offline: /me once per device
 * (the Me and Solutions screens keep that copy fresh). */
async function keepCalendar() {
  if (await getValue('me')) return;
  await setValue('me', await getMe());
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const requested = ctx.query.get('date') ?? undefined;
  /** @type {Today} */
  let data;
  let offline;
  /** @type {string | null} */
  let since;
  try {
    ({ data, offline, since } = await load(requested, ctx.outbox));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      await forgetMember();
      ctx.announce(t('error.unauthorized'), 'error');
      ctx.navigate('/join', { replace: true });
      return;
    }
    root.append(h('h1', { tabindex: '-1', text: t('today.title') }), h('p', { class: 'notice', text: describeError(error) }));
    return;
  }

  const date = data.work_date;
  const { previous, base, stale } = startingPoint(data, ctx.outbox.forDate(date), offline);
  const marks = new Map((previous?.solutions ?? []).map((s) => [s.solution_id, s.used]));
  /** The etag of the stored answer the next Send replaces (see startingPoint). */
  let replacing = base;

  // Days off are chips only when something was said for them; the rest wait under "Anden dag".
  const chip = (/** @type {Today['dates'][number]} */ d) =>
    h(
      'li',
      {},
      h(
        'a',
        { href: `/?date=${d.date}`, class: d.working_day === false ? 'chip is-off' : 'chip', 'aria-current': d.date === date ? 'date' : null, dataset: { date: d.date } },
        shortDate(d.date, data.today),
        d.working_day === false ? h('span', { class: 'sr-only', text: ` (${t('today.day_off')})` }) : null,
        d.rated ? ratedMark() : null,
      ),
    );
  const offered = (/** @type {Today['dates'][number]} */ d) =>
    d.working_day !== false || d.rated || d.date === date || Boolean(ctx.outbox.forDate(d.date));
  const dates = h('ul', { class: 'dates' }, data.dates.filter(offered).map(chip));
  const others = data.dates.filter((d) => !offered(d));
  const otherDay = others.length
    ? h('details', { class: 'other-day' }, h('summary', { text: t('today.other_day') }), h('ul', { class: 'dates' }, others.map(chip)))
    : null;

  const solutions = data.solutions.length
    ? data.solutions.map((solution) =>
        radioGroup({
          name: `solution-${solution.id}`,
          className: 'solution',
          legend: h(
            'span',
            { class: 'solution-title' },
            h('span', { class: `badge badge-${solution.perspective}`, 'aria-hidden': 'true', text: solution.perspective }),
            h('span', { text: solution.title }),
          ),
          description: [t(PERSPECTIVES[solution.perspective] ?? 'perspective.P'), solution.details].filter(Boolean).join(' · '),
          options: MARKS.map((m) => ({ value: m.value, label: t(m.label) })),
          checked: marks.get(solution.id) ?? null,
        }),
      )
    : [h('p', { class: 'empty', text: t('today.solutions_empty') })];

  const comment = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: uid('comment'), name: 'comment', maxlength: '500', rows: '3' }));
  comment.value = previous?.comment ?? '';
  const share = h('input', { type: 'checkbox', id: uid('share'), name: 'share_comment', checked: Boolean(previous?.share_comment) });
  const hint = h('p', { id: uid('send-hint'), class: 'muted send-hint', text: t('today.empty_hint') });
  const sendButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'aria-describedby': hint.id }, t('today.send')));

  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'checkin', novalidate: true },
      h('section', { class: 'solutions', 'aria-labelledby': 'solutions-title' }, h('h2', { id: 'solutions-title', text: t('today.solutions_title') }), solutions),
      h(
        'section',
        { class: 'ratings', 'aria-labelledby': 'ratings-title' },
        h('h2', { id: 'ratings-title', text: t('today.ratings_title') }),
        SCALES.map((scale) =>
          radioGroup({
            name: scale.name,
            className: 'scale',
            legend: t(scale.label),
            options: scale.steps.map((key, i) => ({ value: String(i + 1), label: t(key), hint: String(i + 1) })),
            ends: [t(scale.steps[0]), t(scale.steps[4])],
            checked: previous?.[/** @type {'calm' | 'flow' | 'workload'} */ (scale.name)]?.toString() ?? null,
          }),
        ),
        // Under the ratings, so they still start on a small phone's first screen.
        h('p', { class: 'muted clear-hint', text: t('today.clear_hint') }),
      ),
      h(
        'details',
        { class: 'comment', open: Boolean(previous?.comment) },
        h('summary', { text: t('today.comment_toggle') }),
        h('label', { for: comment.id, text: t('today.comment_label') }),
        comment,
        h('div', { class: 'check' }, share, h('label', { for: share.id, text: t('today.share_label') })),
      ),
      sendButton,
      hint,
    )
  );

  /** @param {string} name */
  const rating = (name) => {
    const value = selected(form, name);
    return value === null ? null : Number(value);
  };
  /** @returns {CheckinBody} */
  const answer = () => ({
    calm: rating('calm'),
    flow: rating('flow'),
    workload: rating('workload'),
    comment: comment.value.trim() || null,
    share_comment: share.checked,
    solutions: data.solutions.flatMap((s) => {
      const used = selected(form, `solution-${s.id}`);
      return used ? [{ solution_id: s.id, used: /** @type {import('../api.js').Used} */ (used) }] : [];
    }),
  });
  // The server refuses a check-in that says nothing (EmptyCheckIn): Send waits for a choice.
  const updateSend = () => {
    const body = answer();
    const empty = body.calm === null && body.flow === null && body.workload === null && body.solutions.length === 0;
    sendButton.disabled = empty;
    hint.hidden = !empty;
  };
  form.addEventListener('change', updateSend);
  clearableRadios(form, updateSend);
  updateSend();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = answer();
    sendButton.disabled = true;
    /** @type {[string, 'info' | 'error'] | null} */
    let message = null;
    try {
      const item = await ctx.outbox.submit(date, body, replacing);
      if (item.state === 'sent') {
        replacing = item.stored ? item.stored.etag : replacing;
        markRated(date);
        message = [t('today.saved'), 'info'];
      } else if (item.state === 'failed') {
        if (item.error === 'StaleCheckIn') ctx.refresh();
        message = [errorText(item.error, item.detail), 'error'];
      } else {
        message = [t('today.queued'), 'info'];
      }
    } finally {
      updateSend();
    }
    // Last, once the screen has its new state: the message area keeps Send in sight as it is.
    ctx.announce(...message);
  });

  /** @param {string} day */
  function markRated(day) {
    const found = dates.querySelector(`[data-date="${day}"]`);
    if (found && !found.querySelector('.rated')) found.append(ratedMark());
  }

  append(root, [
    h('p', { class: 'eyebrow', text: t('today.title') }),
    h('h1', { tabindex: '-1', class: 'date-heading', text: describeWorkDate(date, data.today) }),
    h('nav', { 'aria-label': t('today.pick_date'), class: 'date-picker' }, dates, otherDay),
    offline
      ? h('p', { class: 'notice', 'data-offline': '', text: since ? t('today.offline_since_notice', { date: formatDate(since) }) : t('today.offline_notice') })
      : null,
    dayOff(data.dates.find((d) => d.date === date)),
    stale ? conflict(stale, data, ctx, date) : null,
    form,
  ]);

  // Sent in the background while this screen is open (back online): the day's chip says so now,
  // and the next Send replaces what was stored; refused as stale, the choice is shown.
  /** @param {Event} event */
  const onSent = (event) => markRated(/** @type {CustomEvent<string>} */ (event).detail);
  document.addEventListener(CHECKIN_SENT, onSent);
  const unwatch = ctx.outbox.watch((item) => {
    if (item.request || item.date !== date) return;
    if (item.state === 'sent' && item.stored) replacing = item.stored.etag;
    if (item.state === 'failed' && item.error === 'StaleCheckIn' && !stale) ctx.refresh();
  });
  return () => {
    document.removeEventListener(CHECKIN_SENT, onSent);
    unwatch();
  };
}

function ratedMark() {
  return h('span', { class: 'rated' }, h('span', { 'aria-hidden': 'true', text: ' ✓' }), h('span', { class: 'sr-only', text: ` (${t('today.rated')})` }));
}

/** An etag no stored answer has: sent when the page knows the day is answered but not the answer
 * (an offline copy from before answers were kept), so the server shows it instead of it being lost. */
const UNKNOWN_ANSWER = '"unknown"';

/**
 * What the form opens with — always the answer it is about to replace — and that answer's etag
 * (`base`: sent as If-Match; null: "none is stored"; undefined: no condition, for an item queued
 * before etags). A check-in waiting in the outbox is newer than what the server knows; offline, a
 * sent one is newer than the copy too. Refused as stale, the stored answer is the starting point.
 * @param {Today} data @param {import('../outbox.js').OutboxItem | undefined} pending @param {boolean} offline
 * @returns {{previous: CheckinBody | null, base: string | null | undefined, stale: import('../outbox.js').OutboxItem | null}}
 */
function startingPoint(data, pending, offline) {
  const stored = data.checkin;
  if (pending?.state === 'failed' && pending.error === 'StaleCheckIn') {
    const current = pending.current ?? null;
    return { previous: current, base: current ? current.etag : null, stale: pending };
  }
  if (pending && (pending.state === 'queued' || pending.state === 'sending')) {
    return { previous: pending.body, base: pending.base, stale: null };
  }
  if (pending && offline) {
    // Sent: its stored etag is the base; refused for another reason: it replaced nothing.
    const base = pending.state === 'sent' ? pending.stored?.etag : pending.base;
    return { previous: pending.body, base, stale: null };
  }
  if (pending?.state === 'failed') {
    return { previous: pending.body, base: stored ? stored.etag : null, stale: null };
  }
  if (stored) return { previous: stored, base: stored.etag, stale: null };
  const rated = data.dates.some((d) => d.date === data.work_date && d.rated);
  return { previous: null, base: rated ? UNKNOWN_ANSWER : null, stale: null };
}

/**
 * A radio chosen can be chosen again to clear it (a rating or a mark is optional): a tap, a click
 * or Space on the checked option leaves the group unanswered.
 * @param {HTMLFormElement} form @param {() => void} changed
 */
function clearableRadios(form, changed) {
  /** @type {Map<string, string | null>} */
  const chosen = new Map();
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[type="radio"]:checked'))) {
    chosen.set(input.name, input.value);
  }
  form.addEventListener('click', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'radio') return;
    if (chosen.get(input.name) === input.value) {
      input.checked = false;
      chosen.set(input.name, null);
      changed();
    } else {
      chosen.set(input.name, input.value);
    }
  });
  // Space on the checked option: browsers do nothing there (no click), so clear it here.
  form.addEventListener('keydown', (event) => {
    const input = event.target;
    if (event.key !== ' ' || !(input instanceof HTMLInputElement) || input.type !== 'radio' || !input.checked) return;
    event.preventDefault();
    input.checked = false;
    chosen.set(input.name, null);
    changed();
  });
}

/**
 * An answer as short lines: "Ro: 5 – Meget roligt", the marks, the comment.
 * @param {CheckinBody} answer @param {Today} data
 */
function answerLines(answer, data) {
  const titles = new Map(data.solutions.map((s) => [s.id, s.title]));
  const used = /** @type {Record<string, string>} */ ({ yes: 'today.used.yes', partly: 'today.used.partly', no: 'today.used.no', not_relevant: 'today.used.not_relevant' });
  return [
    ...SCALES.map((scale) => {
      const value = answer[/** @type {'calm' | 'flow' | 'workload'} */ (scale.name)];
      return `${t(scale.label)}: ${value ? `${value} – ${t(scale.steps[value - 1])}` : '–'}`;
    }),
    ...answer.solutions.map((m) => `${titles.get(m.solution_id) ?? t('today.conflict_solution')}: ${t(used[m.used] ?? 'today.used.no')}`),
    ...(answer.comment ? [`${t('today.comment_label')}: ${answer.comment}`] : []),
  ];
}

/**
 * The two versions of a day after a 412: the member's (refused) and the stored one, and the choice.
 * @param {import('../outbox.js').OutboxItem} item @param {Today} data
 * @param {import('../router.js').Context} ctx @param {string} date
 */
function conflict(item, data, ctx, date) {
  const titleId = uid('conflict');
  const current = item.current ?? null;
  const version = (/** @type {string} */ title, /** @type {CheckinBody | null} */ answer) =>
    h(
      'section',
      { class: 'version', 'aria-label': title },
      h('h3', { text: title }),
      answer ? h('ul', {}, answerLines(answer, data).map((line) => h('li', { text: line }))) : h('p', { text: t('today.conflict_none') }),
    );
  // Re-render first, then announce: a navigation empties the message area, and a message
  // announced right after it is for the new screen.
  const useMine = async () => {
    const sent = await ctx.outbox.submit(date, item.body, current ? (current.etag ?? null) : null);
    ctx.refresh();
    if (sent.state === 'sent') ctx.announce(t('today.saved'));
    else if (sent.state === 'failed') ctx.announce(errorText(sent.error, sent.detail), 'error');
    else ctx.announce(t('today.queued'));
  };
  const keepStored = async () => {
    await ctx.outbox.discard(item.id);
    ctx.refresh();
    ctx.announce(t('today.conflict_kept'));
  };
  return h(
    'section',
    { class: 'conflict notice', role: 'group', 'aria-labelledby': titleId },
    h('h2', { id: titleId, text: t('today.conflict_title') }),
    h('p', { text: t('today.conflict_text') }),
    h('div', { class: 'versions' }, version(t('today.conflict_yours'), item.body), version(t('today.conflict_stored'), current)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', on: { click: () => void useMine() } }, t('today.conflict_use_mine')),
      h('button', { type: 'button', on: { click: () => void keepStored() } }, t(current ? 'today.conflict_keep_stored' : 'today.conflict_keep_none')),
    ),
  );
}
