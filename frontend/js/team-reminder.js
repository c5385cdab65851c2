/** The coordinator's part of reminders: a team's default reminder time and working days. */

import { patchTeam } from './api.js';
import { h } from './dom.js';
import { timeField, weekdaysField } from './forms.js';
import { t } from './i18n.js';
import { describeError } from './messages.js';

/**
 * The team's reminder defaults as a small form (members who chose their own keep theirs).
 * @param {import('./api.js').Team} team @param {import('./router.js').Context} ctx
 */
export function teamReminderSection(team, ctx) {
  const time = timeField({ label: t('coord.reminder_time'), name: 'reminder_time', value: team.reminder_time ?? '07:45' });
  const days = weekdaysField({ legend: t('coord.reminder_days'), name: 'working_days', value: team.working_days ?? [1, 2, 3, 4, 5] });
  const save = h('button', { type: 'submit' }, t('coord.reminder_save'));
  const form = h('form', { class: 'stack' }, time.element, days.element, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const saved = await patchTeam(team.id, { reminder_time: time.input.value, working_days: days.value() });
      Object.assign(team, saved);
      ctx.announce(t('coord.reminder_saved'));
    } catch (error) {
      ctx.announce(describeError(error, 'coordinator'), 'error');
    } finally {
      save.disabled = false;
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'team-reminder-title' },
    h('h2', { id: 'team-reminder-title', text: t('coord.reminder') }),
    h('p', { class: 'hint', text: t('coord.reminder_help') }),
    form,
  );
}
