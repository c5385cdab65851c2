/** Coordinator onboarding: log in, teams, create a team, invites as link + QR code, revoke, log out. */

import {
  ApiError,
  createInvite,
  createTeam,
  listInvites,
  listMembers,
  listOrgs,
  listTeams,
  login,
  logout,
  revokeInvite,
} from '../api.js';
import { append, h, uid } from '../dom.js';
import { formatInstant, t } from '../i18n.js';
import { describeError } from '../messages.js';
import { coordinatorToken, setCoordinatorToken } from '../session.js';
import { teamReminderSection } from '../team-reminder.js';
import { dashboardSection } from './dashboard.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The invite link as a QR code, drawn as SVG rectangles (from the matrix of the pinned `uqr` package).
 * @param {string} text
 * @param {string} label
 */
async function qrCode(text, label) {
  const { encode } = /** @type {{encode: (text: string, options?: object) => {data: boolean[][]}}} */ (
    await import(/** @type {string} */ ('/vendor/uqr.mjs'))
  );
  const { data } = encode(text, { ecc: 'M', border: 2 });
  const size = data.length;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  svg.append(background);
  let path = '';
  data.forEach((row, y) => row.forEach((dark, x) => { if (dark) path += `M${x} ${y}h1v1h-1z`; }));
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', path);
  modules.setAttribute('fill', '#000');
  svg.append(modules);
  return svg;
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
function renderLogin(root, ctx) {
  const email = h('input', { id: uid('email'), type: 'email', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: uid('password'), type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('coord.login'));
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: email.id, text: t('coord.email') }),
    email,
    h('label', { for: password.id, text: t('coord.password') }),
    password,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const { access_token: token } = await login(email.value.trim(), password.value);
      await setCoordinatorToken(token);
      ctx.refresh();
    } catch (error) {
      const message = error instanceof ApiError && error.status === 401 ? t('coord.login_failed') : describeError(error);
      ctx.announce(message, 'error');
      button.disabled = false;
    }
  });
  root.append(h('h1', { tabindex: '-1', text: t('coord.title') }), h('p', { text: t('coord.login_intro') }), form);
}

/** @param {import('../router.js').Context} ctx */
function logoutButton(ctx) {
  const button = h('button', { type: 'button', class: 'button-small' }, t('coord.logout'));
  button.addEventListener('click', async () => {
    await logout().catch(() => {}); // the token is forgotten here even if the server is unreachable
    await setCoordinatorToken(null);
    ctx.announce(t('coord.logged_out'));
    ctx.navigate('/coordinator');
  });
  return button;
}

/** @returns {Promise<{org: import('../api.js').Org, teams: import('../api.js').Team[]}[]>} */
async function loadOrgs() {
  const orgs = await listOrgs();
  return Promise.all(orgs.map(async (org) => ({ org, teams: await listTeams(org.id) })));
}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx @param {Awaited<ReturnType<typeof loadOrgs>>} orgs */
function renderTeams(root, ctx, orgs) {
  const name = h('input', { id: uid('team'), name: 'name', maxlength: '120', required: true });
  const orgSelect = h(
    'select',
    { id: uid('org'), name: 'org' },
    orgs.map(({ org }) => h('option', { value: String(org.id), text: org.name })),
  );
  const form = h(
    'form',
    { class: 'stack' },
    orgs.length > 1 ? [h('label', { for: orgSelect.id, text: t('coord.org') }), orgSelect] : null,
    h('label', { for: name.id, text: t('coord.team_name') }),
    name,
    h('button', { type: 'submit', class: 'primary' }, t('coord.create_team')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return;
    try {
      const team = await createTeam(Number(orgSelect.value || orgs[0].org.id), name.value.trim());
      ctx.announce(t('coord.team_created', { team: team.name }));
      ctx.navigate(`/coordinator/teams/${team.id}`);
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    }
  });

  append(root, [
    h('div', { class: 'title-row' }, h('h1', { tabindex: '-1', text: t('coord.teams') }), logoutButton(ctx)),
    dashboardSection(orgs, ctx),
    orgs.map(({ org, teams }) =>
      h(
        'section',
        { 'aria-label': org.name },
        h('h2', { text: org.name }),
        teams.length
          ? h('ul', { class: 'links' }, teams.map((team) => h('li', {}, h('a', { href: `/coordinator/teams/${team.id}` }, team.name))))
          : h('p', { class: 'muted', text: t('coord.no_teams') }),
      ),
    ),
    h('section', { 'aria-labelledby': 'new-team' }, h('h2', { id: 'new-team', text: t('coord.new_team') }), form),
  ]);
}

/**
 * @param {HTMLElement} root @param {import('../router.js').Context} ctx
 * @param {Awaited<ReturnType<typeof loadOrgs>>} orgs @param {number} teamId
 */
async function renderTeam(root, ctx, orgs, teamId) {
  const team = orgs.flatMap((o) => o.teams).find((candidate) => candidate.id === teamId);
  if (!team) {
    root.append(h('h1', { tabindex: '-1', text: t('notfound.title') }), h('p', {}, h('a', { href: '/coordinator' }, t('coord.back'))));
    return;
  }
  const inviteList = h('ul', { class: 'invites' });
  const memberList = h('ul', { class: 'members' });

  /** @param {import('../api.js').Invite} invite */
  async function inviteItem(invite) {
    const revoke = h('button', { type: 'button', class: 'button-small danger' }, t('coord.revoke'));
    const item = h(
      'li',
      { class: 'invite' },
      await qrCode(invite.join_url, t('coord.qr_label', { team: team?.name ?? '' })),
      h(
        'div',
        { class: 'invite-text' },
        h('p', { class: 'code', text: invite.code }),
        h('p', {}, h('a', { href: invite.join_url, class: 'join-link' }, invite.join_url)),
        h('p', { class: 'muted', text: t('coord.expires', { when: formatInstant(invite.expires_at) }) }),
        revoke,
      ),
    );
    revoke.addEventListener('click', async () => {
      try {
        await revokeInvite(teamId, invite.code);
        item.remove();
        ctx.announce(t('coord.revoked'));
      } catch (error) {
        ctx.announce(describeError(error), 'error');
      }
    });
    return item;
  }

  const createButton = h('button', { type: 'button', class: 'primary' }, t('coord.create_invite'));
  createButton.addEventListener('click', async () => {
    try {
      const invite = await createInvite(teamId);
      inviteList.prepend(await inviteItem(invite));
      ctx.announce(t('coord.invite_created'));
    } catch (error) {
      ctx.announce(describeError(error), 'error');
    }
  });

  // Everything is fetched before the screen is shown, so nothing moves when the data arrives.
  const [invites, members] = await Promise.all([listInvites(teamId), listMembers(teamId)]);
  inviteList.replaceChildren(...(await Promise.all(invites.map(inviteItem))));
  memberList.replaceChildren(
    ...(members.length
      ? members.map((m) => h('li', {}, m.display_name || t('coord.anonymous_member'), h('span', { class: 'muted', text: ` · ${t('coord.joined', { when: formatInstant(m.joined_at, { time: false }) })}` })))
      : [h('li', { class: 'muted', text: t('coord.no_members') })]),
  );

  root.append(
    h('p', { class: 'eyebrow' }, h('a', { href: '/coordinator' }, t('coord.back'))),
    h('div', { class: 'title-row' }, h('h1', { tabindex: '-1', text: team.name }), logoutButton(ctx)),
    h(
      'section',
      { 'aria-labelledby': 'invites-title' },
      h('h2', { id: 'invites-title', text: t('coord.invites') }),
      h('p', { text: t('coord.invite_help') }),
      createButton,
      inviteList,
    ),
    h('section', { 'aria-labelledby': 'members-title' }, h('h2', { id: 'members-title', text: t('coord.members') }), memberList),
    teamReminderSection(team, ctx),
  );

}

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  if (!coordinatorToken()) {
    renderLogin(root, ctx);
    return;
  }
  try {
    const orgs = await loadOrgs();
    if (ctx.params.teamId) await renderTeam(root, ctx, orgs, Number(ctx.params.teamId));
    else renderTeams(root, ctx, orgs);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      await setCoordinatorToken(null);
      root.replaceChildren();
      renderLogin(root, ctx);
      return;
    }
    root.append(h('p', { class: 'notice', role: 'alert', text: describeError(error) }));
  }
}
