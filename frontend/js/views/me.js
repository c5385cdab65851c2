/** Me: my name, language, my own history (a chart of the last weeks and a list), reminders,
 * export my data, leave the team and erase my data. */

import { deleteMe, exportMe, listCheckins, patchMe } from '../api.js';
import { loadMe, orgToday } from '../copies.js';
import { append, h, uid } from '../dom.js';
import { setValue } from '../idb.js';
import { addDays, describeWorkDate, getLocale, isLocale, mondayOf, setLocale, t } from '../i18n.js';
import { describeError } from '../messages.js';
import { remindersSection } from '../reminders.js';
import { forgetMember } from '../session.js';
import { heading, loadView } from '../view.js';

/** @typedef {import('../router.js').Context} Context */
/** @typedef {import('../api.js').Checkin} Checkin */

const LIST_DAYS = 14;
const CHART_WEEKS = 8;
const LANGUAGES = [
  { value: 'da', label: 'me.language_da' },
  { value: 'en', label: 'me.language_en' },
];

/** @param {Checkin} checkin */
function summary(checkin) {
  /** @param {string} key @param {number | null} value */
  const part = (key, value) => `${t(key)} ${value ?? '–'}`;
  return [part('rating.calm', checkin.calm), part('rating.flow', checkin.flow), part('rating.workload', checkin.workload)].join(' · ');
}

/** @param {string | null} name */
const nameText = (name) => (name ? t('me.known_as', { name }) : t('me.no_name'));

/** The name the coordinator knows me by: shown, and changed here. @param {Context} ctx @param {import('../api.js').Me} me */
function namePart(ctx, me) {
  const id = uid('name');
  const input = h('input', { id, name: 'display_name', maxlength: '60', autocomplete: 'nickname', 'aria-describedby': `${id}-hint` });
  input.value = me.member.display_name ?? '';
  const current = h('p', { text: nameText(me.member.display_name) });
  const save = h('button', { type: 'submit' }, t('me.name_save'));
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: id, text: t('me.name_label') }),
    h('p', { class: 'hint', id: `${id}-hint`, text: t('me.name_hint') }),
    input,
    save,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const saved = await patchMe({ display_name: input.value.trim() || null });
      await setValue('me', saved);
      input.value = saved.member.display_name ?? '';
      current.textContent = nameText(saved.member.display_name);
      ctx.announce(saved.member.display_name ? t('me.name_saved', { name: saved.member.display_name }) : t('me.name_removed'));
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    } finally {
      save.disabled = false;
    }
  });
  return h('section', { 'aria-labelledby': 'name-title' }, h('h2', { id: 'name-title', text: t('me.name_title') }), current, form);
}

/** @param {Context} ctx */
function languagePart(ctx) {
  return h(
    'fieldset',
    { role: 'radiogroup', class: 'segmented' },
    h('legend', { text: t('me.language') }),
    h(
      'div',
      { class: 'options' },
      LANGUAGES.map((language) => {
        const id = uid('lang');
        const input = h('input', { type: 'radio', id, name: 'locale', value: language.value, checked: language.value === getLocale() });
        input.addEventListener('change', async () => {
          if (!isLocale(language.value)) return;
          await setLocale(language.value);
          await setValue('locale', language.value);
          ctx.refresh();
          ctx.announce(t('me.language_changed'));
          patchMe({ locale: language.value }).catch(() => {}); // the server's copy is for reminders; the device's wins
        });
        return h('div', { class: 'option' }, input, h('label', { for: id, text: t(language.label) }));
      }),
    ),
  );
}

/** My answers: the chart of the last weeks (its code loads only when there is something to draw),
 * the last two weeks as a list below it.
 * @param {{checkins: Checkin[]} | {error: unknown}} loaded @param {string} day */
async function historyPart(loaded, day) {
  const title = h('h2', { id: 'history-title', text: t('me.history') });
  if ('error' in loaded) {
    return h('section', { 'aria-labelledby': 'history-title' }, title, h('p', { class: 'muted', text: describeError(loaded.error) }));
  }
  const recent = loaded.checkins
    .filter((c) => c.work_date > addDays(day, -LIST_DAYS))
    .sort((a, b) => b.work_date.localeCompare(a.work_date));
  return h(
    'section',
    { 'aria-labelledby': 'history-title' },
    title,
    loaded.checkins.length ? (await import('../history-chart.js')).historyChart(loaded.checkins, day, CHART_WEEKS) : null,
    h('h3', { text: t('me.history_list') }),
    h(
      'ul',
      { class: 'history' },
      recent.length
        ? recent.map((c) => h('li', {}, h('strong', { text: describeWorkDate(c.work_date, day) }), h('span', { text: summary(c) })))
        : [h('li', { class: 'muted', text: t('me.history_empty') })],
    ),
  );
}

/** Export, and leaving (a confirmation dialog: erasing cannot be undone). @param {Context} ctx */
function dataPart(ctx) {
  const exportButton = h('button', { type: 'button' }, t('me.export'));
  exportButton.addEventListener('click', async () => {
    try {
      const blob = await exportMe();
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: 'pux-puls-mine-data.json', class: 'sr-only' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      ctx.announce(t('me.exported'));
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    }
  });
  const confirmButton = h('button', { type: 'button', class: 'danger' }, t('me.leave_confirm'));
  const cancelButton = h('button', { type: 'button' }, t('common.cancel'));
  const dialog = h(
    'dialog',
    { 'aria-labelledby': 'leave-title', 'aria-describedby': 'leave-text' },
    h('h2', { id: 'leave-title', text: t('me.leave_title') }),
    h('p', { id: 'leave-text', text: t('me.leave_text') }),
    h('div', { class: 'row' }, cancelButton, confirmButton),
  );
  const leaveButton = h('button', { type: 'button', class: 'danger' }, t('me.leave'));
  leaveButton.addEventListener('click', () => dialog.showModal());
  cancelButton.addEventListener('click', () => dialog.close());
  confirmButton.addEventListener('click', async () => {
    confirmButton.disabled = true;
    try {
      await deleteMe();
      dialog.close();
      await forgetMember();
      ctx.navigate('/join', { replace: true });
      ctx.announce(t('me.left'));
    } catch (error) {
      confirmButton.disabled = false;
      ctx.announce(describeError(error), 'error');
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'data-title' },
    h('h2', { id: 'data-title', text: t('me.data') }),
    h('p', { text: t('me.data_text') }),
    h('div', { class: 'row' }, exportButton, leaveButton),
    dialog,
  );
}

/** @param {HTMLElement} root @param {Context} ctx */
export async function render(root, ctx) {
  // The organisation's today as the server says, not the device's UTC date (which is still
  // yesterday for an hour or two after midnight in Denmark).
  const day = orgToday();
  /** @type {Promise<{checkins: Checkin[]} | {error: unknown}>} */
  const history = day
    .then((d) => listCheckins(addDays(mondayOf(d), -7 * (CHART_WEEKS - 1)), d))
    .then(
      (checkins) => ({ checkins }),
      (error) => ({ error }),
    );
  const loaded = await loadView(root, ctx, { title: t('me.title'), load: loadMe });
  if (!loaded) return;
  const { value: me, offline } = loaded;
  // History and reminders: fetched alongside the profile and shown with the rest, so nothing
  // moves afterwards.
  const [answers, todayDate, reminders] = await Promise.all([history, day, remindersSection(ctx)]);
  append(root, [
    heading(t('me.title')),
    h('p', { class: 'lead', text: t('me.team', { team: me.team.name }) }),
    h('p', { text: t('me.privacy', { k: me.org.anonymity_threshold ?? 5 }) }),
    offline ? h('p', { class: 'muted', text: nameText(me.member.display_name) }) : namePart(ctx, me),
    h('section', {}, languagePart(ctx)),
    await historyPart(answers, todayDate),
    reminders,
    dataPart(ctx),
  ]);
}
