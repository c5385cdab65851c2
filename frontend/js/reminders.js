/** Me → Påmindelser: notifications on this phone (permission asked only when the member taps),
 * time, days, holidays, a vacation pause, the afternoon follow-up, a test, the calendar feed, and
 * the iPhone install guide. */

import {
  ApiError,
  getCalendarUrl,
  getReminder,
  putReminder,
  revokeCalendarUrl,
  sendTestPush,
} from './api.js';
import { h, uid } from './dom.js';
import { checkField, timeField, weekdaysField } from './forms.js';
import { formatDate, t } from './i18n.js';
import { describeError } from './messages.js';
import { currentSubscription, disablePush, enablePush, pushSupport } from './push.js';

/** @param {number[]} a @param {number[]} b */
const sameDays = (a, b) => a.length === b.length && a.every((day, i) => day === b[i]);

/** What PUT /me/reminder takes, from settings as GET gives them (the team's time and days stay
 * "the team's"). @param {import('./api.js').ReminderSettings} settings
 * @returns {import('./api.js').ReminderChanges} */
function changes(settings) {
  return {
    enabled: settings.enabled,
    time: settings.follows_team_time ? null : settings.time,
    weekdays: settings.follows_team_weekdays ? null : settings.weekdays,
    skip_public_holidays: settings.skip_public_holidays,
    paused_until: settings.paused_until,
    follow_up: settings.follow_up,
  };
}

/** What a test notification did, in words. @param {import('./api.js').TestResult} result */
function testText(result) {
  if (result.devices === 0) return t('reminders.test_no_devices');
  const parts = [];
  if (result.delivered) {
    parts.push(result.delivered === 1 ? t('reminders.test_sent_one') : t('reminders.test_sent_many', { count: result.delivered }));
  }
  if (result.removed) parts.push(t('reminders.test_removed', { count: result.removed }));
  if (result.failed) parts.push(t('reminders.test_failed', { count: result.failed, reasons: result.problems.join('; ') }));
  return parts.join(' ');
}

/** The steps iOS needs before a web app may show notifications. */
function installGuide() {
  return h(
    'div',
    { class: 'notice' },
    h('h3', { text: t('reminders.install_title') }),
    h('p', { text: t('reminders.install_why') }),
    h(
      'ol',
      {},
      h('li', { text: t('reminders.install_step_share') }),
      h('li', { text: t('reminders.install_step_add') }),
      h('li', { text: t('reminders.install_step_open') }),
    ),
  );
}

/**
 * Notifications on this device: why and a button, or what stands in the way.
 * @param {import('./router.js').Context} ctx
 * @param {() => Promise<void>} turnedOn  the settings follow (reminders on)
 */
async function deviceBlock(ctx, turnedOn) {
  const block = h('div', { class: 'stack' });
  const support = pushSupport();
  if (support === 'install') {
    block.append(installGuide());
    return block;
  }
  if (support === 'unsupported') {
    block.append(h('p', { class: 'notice', text: t('reminders.unsupported') }));
    return block;
  }
  if (support === 'denied') {
    block.append(h('p', { class: 'notice', text: t('reminders.denied') }));
    return block;
  }

  const draw = async () => {
    const subscribed = (await currentSubscription().catch(() => null)) !== null;
    if (!subscribed) {
      const on = h('button', { type: 'button', class: 'primary' }, t('reminders.turn_on'));
      on.addEventListener('click', async () => {
        on.disabled = true;
        try {
          if ((await enablePush()) === 'denied') ctx.announce(t('reminders.permission_refused'), 'error');
          else {
            await turnedOn();
            ctx.announce(t('reminders.turned_on'));
          }
        } catch (error) {
          ctx.announce(
            error instanceof ApiError ? describeError(error) : t('reminders.subscribe_failed', { detail: String(error) }),
            'error',
          );
        }
        await draw();
      });
      block.replaceChildren(h('p', { text: t('reminders.why_permission') }), on);
      return;
    }
    const test = h('button', { type: 'button' }, t('reminders.test'));
    const off = h('button', { type: 'button' }, t('reminders.turn_off'));
    test.addEventListener('click', async () => {
      test.disabled = true;
      try {
        ctx.announce(testText(await sendTestPush()));
      } catch (error) {
        ctx.announce(describeError(error), 'error');
      } finally {
        test.disabled = false;
      }
    });
    off.addEventListener('click', async () => {
      try {
        await disablePush();
        ctx.announce(t('reminders.turned_off'));
      } catch (error) {
        ctx.announce(describeError(error), 'error');
      }
      await draw();
    });
    block.replaceChildren(h('p', { text: t('reminders.on_here') }), h('div', { class: 'row' }, test, off));
  };
  await draw();
  return block;
}

/**
 * The settings form. @param {import('./router.js').Context} ctx
 * @param {import('./api.js').ReminderSettings} settings
 * @param {(saved: import('./api.js').ReminderSettings) => void} onSaved
 */
function settingsForm(ctx, settings, onSaved) {
  const team = settings.team ?? { time: settings.time, weekdays: settings.weekdays };
  const enabled = checkField({ label: t('reminders.enabled'), name: 'enabled', checked: settings.enabled });
  const time = timeField({ label: t('reminders.time'), name: 'time', value: settings.time, hint: t('reminders.team_time', { time: team.time }) });
  const days = weekdaysField({ legend: t('reminders.days'), name: 'weekdays', value: settings.weekdays });
  const holidays = checkField({ label: t('reminders.skip_holidays'), name: 'skip_public_holidays', checked: settings.skip_public_holidays });
  const pauseId = uid('pause');
  const pauseHint = `${pauseId}-hint`;
  const pause = h('input', { id: pauseId, name: 'paused_until', type: 'date', 'aria-describedby': pauseHint });
  pause.value = settings.paused_until ?? '';
  const clearPause = h('button', { type: 'button', class: 'button-small' }, t('reminders.pause_clear'));
  clearPause.addEventListener('click', () => {
    pause.value = '';
    pause.focus();
  });
  const followUp = checkField({
    label: t('reminders.follow_up', { time: settings.follow_up_time ?? '14:30' }),
    name: 'follow_up',
    checked: settings.follow_up,
  });
  const save = h('button', { type: 'submit', class: 'primary' }, t('reminders.save'));
  const form = h(
    'form',
    { class: 'stack', 'aria-labelledby': 'reminder-settings-title' },
    h('h3', { id: 'reminder-settings-title', text: t('reminders.settings') }),
    enabled.element,
    time.element,
    days.element,
    holidays.element,
    h(
      'div',
      { class: 'field' },
      h('label', { for: pauseId, text: t('reminders.pause') }),
      h('p', { id: pauseHint, class: 'hint', text: t('reminders.pause_hint') }),
      h('div', { class: 'row' }, pause, clearPause),
    ),
    followUp.element,
    save,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const weekdays = days.value();
    if (!weekdays.length) {
      ctx.announce(t('reminders.no_days'), 'error');
      return;
    }
    save.disabled = true;
    try {
      const saved = await putReminder({
        enabled: enabled.input.checked,
        // The team's own time and days are sent as "follow the team", so a later change by the
        // coordinator reaches this member too.
        time: time.input.value === team.time ? null : time.input.value,
        weekdays: sameDays(weekdays, team.weekdays) ? null : weekdays,
        skip_public_holidays: holidays.input.checked,
        paused_until: pause.value || null,
        follow_up: followUp.input.checked,
      });
      onSaved(saved);
      ctx.announce(
        saved.paused_until ? t('reminders.saved_paused', { date: formatDate(saved.paused_until) }) : t('reminders.saved'),
      );
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/** The private calendar link, shown when asked for. @param {import('./router.js').Context} ctx */
function calendarBlock(ctx) {
  const body = h('div', { class: 'stack' });
  const show = h('button', { type: 'button' }, t('reminders.calendar_show'));

  /** @param {import('./api.js').CalendarUrl} link */
  const draw = (link) => {
    const id = uid('calendar-url');
    const url = h('input', { id, type: 'text', readonly: true, value: link.url, class: 'join-link' });
    const copy = h('button', { type: 'button' }, t('reminders.calendar_copy'));
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(link.url);
        ctx.announce(t('reminders.calendar_copied'));
      } catch {
        url.select(); // the member copies it by hand
        ctx.announce(t('reminders.calendar_copy_by_hand'), 'error');
      }
    });
    const renew = h('button', { type: 'button', class: 'button-small' }, t('reminders.calendar_renew'));
    renew.addEventListener('click', async () => {
      try {
        await revokeCalendarUrl();
        draw(await getCalendarUrl());
        ctx.announce(t('reminders.calendar_renewed'));
      } catch (error) {
        ctx.announce(describeError(error), 'error');
      }
    });
    body.replaceChildren(
      h('div', { class: 'field' }, h('label', { for: id, text: t('reminders.calendar_url') }), url),
      h('div', { class: 'row' }, copy, h('a', { href: link.webcal_url, class: 'button' }, t('reminders.calendar_add'))),
      h('p', { class: 'hint', text: t('reminders.calendar_private') }),
      renew,
    );
  };
  show.addEventListener('click', async () => {
    try {
      draw(await getCalendarUrl());
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    }
  });
  body.append(show);
  return h('div', {}, h('h3', { text: t('reminders.calendar') }), h('p', { text: t('reminders.calendar_text') }), body);
}

/**
 * The whole section for Me. Offline (or signed out) it says so instead of the settings.
 * @param {import('./router.js').Context} ctx
 */
export async function remindersSection(ctx) {
  const section = h('section', { 'aria-labelledby': 'reminders-title' }, h('h2', { id: 'reminders-title', text: t('reminders.title') }));
  /** @type {import('./api.js').ReminderSettings} */
  let settings;
  try {
    settings = await getReminder();
  } catch (error) {
    section.append(h('p', { class: 'muted', text: error instanceof ApiError ? describeError(error) : t('reminders.offline') }));
    return section;
  }
  const form = settingsForm(ctx, settings, (saved) => {
    settings = saved;
  });
  const device = await deviceBlock(ctx, async () => {
    if (settings.enabled) return;
    settings = await putReminder({ ...changes(settings), enabled: true });
    const box = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="enabled"]'));
    if (box) box.checked = true;
  });
  section.append(h('p', { text: t('reminders.intro') }), device, form, calendarBlock(ctx));
  return section;
}
