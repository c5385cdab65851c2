/** Join: /join/{code} shows the team and joins in one tap; /join asks for the code from the invite. */

import { ApiError, getInvite, join } from '../api.js';
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { describeError } from '../messages.js';
import { setMemberToken } from '../session.js';

/** @param {unknown} error */
function inviteProblem(error) {
  if (error instanceof ApiError && error.status === 404) return t('join.unknown_code');
  if (error instanceof ApiError && error.status === 410) return t('join.expired_code');
  return describeError(error);
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
function askForCode(root, ctx) {
  const input = h('input', { id: uid('code'), name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', required: true });
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: input.id, text: t('join.code_label') }),
    input,
    h('button', { type: 'submit', class: 'primary' }, t('join.continue')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (code) ctx.navigate(`/join/${encodeURIComponent(code)}`);
  });
  root.append(
    h('h1', { tabindex: '-1', text: t('join.welcome') }),
    h('p', { text: t('join.intro') }),
    form,
    h('p', { class: 'aside' }, h('a', { href: '/coordinator' }, t('join.coordinator_link'))),
  );
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  const code = ctx.params.code;
  if (!code) {
    askForCode(root, ctx);
    return;
  }
  let invite;
  try {
    invite = await getInvite(code);
  } catch (error) {
    root.append(
      h('h1', { tabindex: '-1', text: t('join.problem_title') }),
      h('p', { class: 'notice', role: 'alert', text: inviteProblem(error) }),
      h('p', {}, h('a', { href: '/join' }, t('join.try_other_code'))),
    );
    return;
  }

  const name = h('input', { id: uid('name'), name: 'display_name', maxlength: '60', autocomplete: 'nickname' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('join.button', { team: invite.team_name }));
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: name.id, text: t('join.name_label') }),
    h('p', { class: 'hint', id: `${name.id}-hint`, text: t('join.name_hint') }),
    name,
    button,
  );
  name.setAttribute('aria-describedby', `${name.id}-hint`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const joined = await join(code, name.value.trim() || null);
      await setMemberToken(joined.token);
      ctx.navigate('/', { replace: true });
      ctx.announce(t('join.joined', { team: joined.team.name }));
    } catch (error) {
      ctx.announce(inviteProblem(error), 'error');
      button.disabled = false;
    }
  });
  root.append(
    h('p', { class: 'eyebrow', text: invite.org_name }),
    h('h1', { tabindex: '-1', text: t('join.invited', { team: invite.team_name }) }),
    h('p', { text: t('join.explain', { k: invite.anonymity_threshold ?? 5 }) }),
    form,
  );
}
