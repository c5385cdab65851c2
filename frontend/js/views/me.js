/** Me: language, my recent check-ins, export my data, leave the team and erase my data. */

import { ApiError, deleteMe, exportMe, getMe, listCheckins, patchMe } from '../api.js';
import { append, h, uid } from '../dom.js';
import { getValue, setValue } from '../idb.js';
import { addDays, describeWorkDate, getLocale, isLocale, setLocale, t } from '../i18n.js';
import { describeError } from '../messages.js';
import { today } from '../pux.js';
import { remindersSection } from '../reminders.js';
import { forgetMember } from '../session.js';

const HISTORY_DAYS = 14;
const LANGUAGES = [
  { value: 'da', label: 'me.language_da' },
  { value: 'en', label: 'me.language_en' },
];

/** @param {import('../api.js').Checkin} checkin */
function summary(checkin) {
  /** @param {string} key @param {number | null} value */
  const part = (key, value) => `${t(key)} ${value ?? '–'}`;
  return [part('rating.calm', checkin.calm), part('rating.flow', checkin.flow), part('rating.workload', checkin.workload)].join(' · ');
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  // The organisation's today as the server says, not the device's UTC date (which is still
  // yesterday for an hour or two after midnight in Denmark).
  const day = today();
  /** @type {Promise<{checkins: import('../api.js').Checkin[]} | {error: unknown}>} */
  const history = day
    .then((d) => listCheckins(addDays(d, -HISTORY_DAYS), d))
    .then(
      (checkins) => ({ checkins }),
      (error) => ({ error }),
    );
  /** @type {import('../api.js').Me | undefined} */
  let me;
  try {
    me = await getMe();
    await setValue('me', me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      await forgetMember();
      ctx.navigate('/join', { replace: true });
      return;
    }
    me = await getValue('me');
  }

  // Language
  const languages = h(
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

  // History and reminders: fetched alongside the profile and shown with the rest, so nothing
  // moves afterwards.
  const [loaded, todayDate, reminders] = await Promise.all([history, day, remindersSection(ctx)]);
  const sorted = 'checkins' in loaded ? [...loaded.checkins].sort((a, b) => b.work_date.localeCompare(a.work_date)) : [];
  const historyList = h(
    'ul',
    { class: 'history' },
    'error' in loaded
      ? [h('li', { class: 'muted', text: describeError(loaded.error) })]
      : sorted.length
        ? sorted.map((c) => h('li', {}, h('strong', { text: describeWorkDate(c.work_date, todayDate) }), h('span', { text: summary(c) })))
        : [h('li', { class: 'muted', text: t('me.history_empty') })],
  );

  // Export
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

  // Leave: a confirmation dialog; erasing cannot be undone.
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
      ctx.announce(t('me.left'));
      ctx.navigate('/join', { replace: true });
    } catch (error) {
      confirmButton.disabled = false;
      ctx.announce(describeError(error), 'error');
    }
  });

  const nameLabel = me?.member.display_name ? t('me.known_as', { name: me.member.display_name }) : t('me.no_name');
  append(root, [
    h('h1', { tabindex: '-1', text: t('me.title') }),
    me ? h('p', { class: 'lead' }, t('me.team', { team: me.team.name }), ' ', nameLabel) : null,
    h('section', {}, languages),
    h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title', text: t('me.history') }), historyList),
    reminders,
    h(
      'section',
      { 'aria-labelledby': 'data-title' },
      h('h2', { id: 'data-title', text: t('me.data') }),
      h('p', { text: t('me.data_text') }),
      h('div', { class: 'row' }, exportButton, leaveButton),
    ),
    dialog,
  ]);
}
