/** Coordinator: log in, teams, create a team; a team's page: members (join date, a note of the
 * coordinator's own, remove), invites as link + QR (copy, print a poster, revoke with undo), the
 * team's name and reminder defaults; log out. Laid out for a laptop (two columns). */

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
  patchTeam,
  removeMember,
  restoreInvite,
  revokeInvite,
  setMemberNote,
} from '../api.js';
import { append, h, uid } from '../dom.js';
import { formatInstant, t } from '../i18n.js';
import { describeError } from '../messages.js';
import { qrCode } from '../qr.js';
import { coordinatorStyles } from '../coordinator-styles.js';
import { coordinatorToken, setCoordinatorToken } from '../session.js';
import { teamReminderSection } from '../team-reminder.js';
import { confirmAction, heading, loadView } from '../view.js';
import { dashboardSection } from './dashboard.js';

/** @typedef {import('../router.js').Context} Context */
/** @typedef {import('../api.js').Team} Team */
/** @typedef {import('../api.js').Invite} Invite */
/** @typedef {import('../api.js').MemberInfo} MemberInfo */
/** @typedef {{org: import('../api.js').Org, teams: Team[]}[]} Orgs */

/** @param {unknown} error */
const words = (error) => describeError(error, 'coordinator');

/** The coordinator's token has run out (or was revoked): the login again, saying why. @param {Context} ctx */
async function coordinatorSignedOut(ctx) {
  await setCoordinatorToken(null);
  ctx.refresh();
  ctx.announce(t('error.unauthorized_coordinator'), 'error');
}

/** @param {HTMLElement} root @param {Context} ctx */
function renderLogin(root, ctx) {
  const email = h('input', { id: uid('email'), type: 'email', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: uid('password'), type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('coord.login'));
  const form = h(
    'form',
    { class: 'stack narrow' },
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
      ctx.refresh(); // a new screen: the message area is emptied (no old "wrong password")
    } catch (error) {
      ctx.announce(error instanceof ApiError && error.status === 401 ? t('coord.login_failed') : words(error), 'error');
      button.disabled = false;
    }
  });
  root.append(heading(t('coord.title')), h('p', { text: t('coord.login_intro') }), form);
}

/** @param {Context} ctx */
function logoutButton(ctx) {
  const button = h('button', { type: 'button', class: 'button-small' }, t('coord.logout'));
  button.addEventListener('click', async () => {
    await logout().catch(() => {}); // the token is forgotten here even if the server is unreachable
    await setCoordinatorToken(null);
    ctx.navigate('/coordinator');
    ctx.announce(t('coord.logged_out'));
  });
  return button;
}

/** @returns {Promise<Orgs>} */
async function loadOrgs() {
  const orgs = await listOrgs();
  return Promise.all(orgs.map(async (org) => ({ org, teams: await listTeams(org.id) })));
}

/** @param {Context} ctx @param {Orgs} orgs */
function newTeamForm(ctx, orgs) {
  const name = h('input', { id: uid('team'), name: 'name', maxlength: '120', required: true });
  const orgSelect = h('select', { id: uid('org'), name: 'org' }, orgs.map(({ org }) => h('option', { value: String(org.id), text: org.name })));
  const form = h(
    'form',
    { class: 'stack narrow' },
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
      ctx.navigate(`/coordinator/teams/${team.id}`);
      ctx.announce(t('coord.team_created', { team: team.name }));
    } catch (error) {
      ctx.announce(words(error), 'error');
    }
  });
  return h('section', { 'aria-labelledby': 'new-team' }, h('h2', { id: 'new-team', text: t('coord.new_team') }), form);
}

/** @param {HTMLElement} root @param {Context} ctx @param {Orgs} orgs */
function renderTeams(root, ctx, orgs) {
  append(root, [
    h('div', { class: 'title-row' }, heading(t('coord.teams')), logoutButton(ctx)),
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
    newTeamForm(ctx, orgs),
  ]);
}

/**
 * What the parts of a team's page share.
 * @typedef {Object} TeamPage
 * @property {Context} ctx
 * @property {Team} team
 * @property {HTMLElement} title   the h1 (renaming changes it)
 */

/** Copies a link; where the clipboard is not allowed, selects it for copying by hand.
 * @param {TeamPage} page @param {string} url @param {HTMLElement} link */
async function copyLink(page, url, link) {
  try {
    await navigator.clipboard.writeText(url);
    page.ctx.announce(t('coord.link_copied'));
  } catch {
    getSelection()?.selectAllChildren(link);
    page.ctx.announce(t('coord.link_copy_by_hand'), 'error');
  }
}

/** One working invite: QR code, typed code, link, and what can be done with it.
 * @param {TeamPage} page @param {Invite} invite @returns {Promise<HTMLElement>} */
async function inviteCard(page, invite) {
  const { ctx, team } = page;
  const link = h('a', { href: invite.join_url, class: 'join-link' }, invite.join_url);
  const copy = h('button', { type: 'button', class: 'button-small', on: { click: () => void copyLink(page, invite.join_url, link) } }, t('coord.copy_link'));
  const revoke = h('button', { type: 'button', class: 'button-small danger' }, t('coord.revoke'));
  const card = h(
    'li',
    { class: 'invite' },
    await qrCode(invite.join_url, t('coord.qr_label', { team: team.name })),
    h(
      'div',
      { class: 'invite-text' },
      h('p', { class: 'code', text: invite.code }),
      h('p', {}, link),
      h('p', { class: 'muted', text: t('coord.expires', { when: formatInstant(invite.expires_at) }) }),
      h(
        'div',
        { class: 'row', role: 'group', 'aria-label': t('coord.invite_actions', { code: invite.code }) },
        copy,
        h('a', { class: 'button button-small', href: `/coordinator/teams/${team.id}/poster/${encodeURIComponent(invite.code)}` }, t('coord.print_poster')),
        revoke,
      ),
    ),
  );
  revoke.addEventListener('click', async () => {
    try {
      await revokeInvite(team.id, invite.code);
      const undone = revokedCard(page, invite);
      card.replaceWith(undone);
      undone.querySelector('button')?.focus();
      ctx.announce(t('coord.revoked'));
    } catch (error) {
      ctx.announce(words(error), 'error');
    }
  });
  return card;
}

/** In a revoked invite's place: an undo that brings the same code back (a poster may hang on the
 * wall). @param {TeamPage} page @param {Invite} invite */
function revokedCard(page, invite) {
  const undo = h('button', { type: 'button', class: 'button-small' }, t('coord.undo_revoke'));
  const card = h('li', { class: 'invite is-revoked' }, h('p', { text: t('coord.revoked_code', { code: invite.code }) }), undo);
  undo.addEventListener('click', async () => {
    try {
      const restored = await restoreInvite(page.team.id, invite.code);
      const again = await inviteCard(page, restored);
      card.replaceWith(again);
      /** @type {HTMLElement | null} */ (again.querySelector('.code'))?.focus();
      page.ctx.announce(t('coord.restored', { code: invite.code }));
    } catch (error) {
      page.ctx.announce(words(error), 'error');
    }
  });
  return card;
}

/** @param {TeamPage} page @param {Invite[]} invites */
async function invitesPart(page, invites) {
  const list = h('ul', { class: 'invites' }, await Promise.all(invites.map((invite) => inviteCard(page, invite))));
  const create = h('button', { type: 'button', class: 'primary' }, t('coord.create_invite'));
  create.addEventListener('click', async () => {
    try {
      list.prepend(await inviteCard(page, await createInvite(page.team.id)));
      page.ctx.announce(t('coord.invite_created'));
    } catch (error) {
      page.ctx.announce(words(error), 'error');
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'invites-title', class: 'invites-part' },
    h('h2', { id: 'invites-title', text: t('coord.invites') }),
    h('p', { text: t('coord.invite_help') }),
    create,
    list,
  );
}

/** @param {MemberInfo} member */
const memberName = (member) => member.display_name || t('coord.anonymous_member');

/** One member: name, join date, the coordinator's note (saved when it changes), remove.
 * @param {TeamPage} page @param {MemberInfo} member */
function memberRow(page, member) {
  const { ctx, team } = page;
  const name = memberName(member);
  const noteId = uid('note');
  const note = h('input', { id: noteId, name: 'note', maxlength: '200', autocomplete: 'off', placeholder: t('coord.note_placeholder') });
  note.value = member.note ?? '';
  note.addEventListener('change', async () => {
    try {
      const saved = await setMemberNote(team.id, member.id, note.value.trim());
      note.value = saved.note ?? '';
      ctx.announce(saved.note ? t('coord.note_saved', { name }) : t('coord.note_removed', { name }));
    } catch (error) {
      ctx.announce(words(error), 'error');
    }
  });
  const remove = h('button', { type: 'button', class: 'button-small danger', 'aria-label': t('coord.remove_member_named', { name }) }, t('coord.remove_member'));
  const row = h(
    'tr',
    {},
    h('th', { scope: 'row', text: name }),
    h('td', { text: formatInstant(member.joined_at, { time: false }) }),
    h('td', {}, h('label', { for: noteId, class: 'sr-only', text: t('coord.note_for', { name }) }), note),
    h('td', {}, remove),
  );
  remove.addEventListener('click', async () => {
    const sure = await confirmAction({
      title: t('coord.remove_title', { name, team: team.name }),
      text: t('coord.remove_text'),
      confirm: t('coord.remove_confirm'),
    });
    if (!sure) return;
    try {
      await removeMember(team.id, member.id);
      row.remove();
      page.title.focus();
      ctx.announce(t('coord.removed', { name }));
    } catch (error) {
      ctx.announce(words(error), 'error');
    }
  });
  return row;
}

/** @param {TeamPage} page @param {MemberInfo[]} members */
function membersPart(page, members) {
  return h(
    'section',
    { 'aria-labelledby': 'members-title' },
    h('h2', { id: 'members-title', text: t('coord.members') }),
    h('p', { class: 'hint', text: t('coord.members_help') }),
    members.length
      ? h(
          'table',
          { class: 'members' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('coord.member_name') }), h('th', { scope: 'col', text: t('coord.member_joined') }), h('th', { scope: 'col', text: t('coord.member_note') }), h('td', {}))),
          h('tbody', {}, members.map((m) => memberRow(page, m))),
        )
      : h('p', { class: 'muted', text: t('coord.no_members') }),
  );
}

/** The team's name. @param {TeamPage} page */
function renamePart(page) {
  const { ctx, team } = page;
  const input = h('input', { id: uid('name'), name: 'name', maxlength: '120', required: true });
  input.value = team.name;
  const save = h('button', { type: 'submit' }, t('coord.rename_save'));
  const form = h('form', { class: 'stack narrow' }, h('label', { for: input.id, text: t('coord.rename_label') }), input, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name || name === team.name) return;
    save.disabled = true;
    try {
      const saved = await patchTeam(team.id, { name });
      team.name = saved.name;
      page.title.textContent = saved.name;
      ctx.announce(t('coord.renamed', { team: saved.name }));
    } catch (error) {
      ctx.announce(words(error), 'error');
    } finally {
      save.disabled = false;
    }
  });
  return h('section', { 'aria-labelledby': 'rename-title' }, h('h2', { id: 'rename-title', text: t('coord.rename') }), form);
}

/** @param {HTMLElement} root @param {Context} ctx @param {Orgs} orgs @param {number} teamId */
async function renderTeam(root, ctx, orgs, teamId) {
  const team = orgs.flatMap((o) => o.teams).find((candidate) => candidate.id === teamId);
  if (!team) {
    root.append(heading(t('notfound.title')), h('p', {}, h('a', { href: '/coordinator' }, t('coord.back'))));
    return;
  }
  // Everything is fetched before the screen is shown, so nothing moves when the data arrives.
  const [invites, members] = await Promise.all([listInvites(teamId), listMembers(teamId)]);
  /** @type {TeamPage} */
  const page = { ctx, team, title: heading(team.name) };
  root.classList.add('is-wide');
  root.append(
    h('p', { class: 'eyebrow' }, h('a', { href: '/coordinator' }, t('coord.back'))),
    h('div', { class: 'title-row' }, page.title, logoutButton(ctx)),
    h(
      'div',
      { class: 'team-page' },
      h('div', { class: 'team-main' }, membersPart(page, members), renamePart(page), teamReminderSection(team, ctx)),
      h('div', { class: 'team-side' }, await invitesPart(page, invites)),
    ),
  );
}

/** @param {HTMLElement} root @param {Context} ctx */
export async function render(root, ctx) {
  await coordinatorStyles();
  if (!coordinatorToken()) {
    renderLogin(root, ctx);
    return;
  }
  const teamId = ctx.params.teamId;
  await loadView(root, ctx, {
    title: t('coord.title'),
    signedOut: coordinatorSignedOut,
    load: async () => {
      const orgs = await loadOrgs();
      if (teamId) await renderTeam(root, ctx, orgs, Number(teamId));
      else renderTeams(root, ctx, orgs);
    },
  });
}
