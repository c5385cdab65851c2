/** Udskriv plakat: an invite as a poster for the staff room wall — the team's name, the QR code,
 * the typed code and two lines on how to join; nothing else is printed (no member's name). */

import { listInvites, listOrgs, listTeams } from '../api.js';
import { coordinatorStyles } from '../coordinator-styles.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { qrCode } from '../qr.js';
import { coordinatorToken, setCoordinatorToken } from '../session.js';
import { heading, loadView } from '../view.js';

/** @param {HTMLElement} root @param {import('../router.js').Context} ctx */
export async function render(root, ctx) {
  await coordinatorStyles();
  const back = `/coordinator/teams/${ctx.params.teamId}`;
  if (!coordinatorToken()) {
    ctx.navigate('/coordinator', { replace: true });
    return;
  }
  const teamId = Number(ctx.params.teamId);
  const loaded = await loadView(root, ctx, {
    title: t('poster.title'),
    signedOut: async () => {
      await setCoordinatorToken(null);
      ctx.navigate('/coordinator', { replace: true });
      ctx.announce(t('error.unauthorized_coordinator'), 'error');
    },
    load: async () => {
      const orgs = await listOrgs();
      const teams = (await Promise.all(orgs.map((org) => listTeams(org.id)))).flat();
      const invites = await listInvites(teamId);
      return { team: teams.find((candidate) => candidate.id === teamId), invite: invites.find((i) => i.code === ctx.params.code) };
    },
  });
  if (!loaded) return;
  const { team, invite } = loaded;
  if (!team || !invite) {
    root.append(heading(t('poster.title')), h('p', { class: 'notice', text: t('poster.not_found') }), h('a', { href: back }, t('poster.back')));
    return;
  }
  const print = h('button', { type: 'button', class: 'primary', on: { click: () => window.print() } }, t('poster.print'));
  root.classList.add('is-poster');
  root.append(
    h('div', { class: 'poster-tools' }, h('a', { href: back }, t('poster.back')), h('p', { class: 'hint', text: t('poster.hint') }), print),
    h(
      'article',
      { class: 'poster', 'aria-label': t('poster.title') },
      heading(team.name),
      await qrCode(invite.join_url, t('coord.qr_label', { team: team.name })),
      h('p', { class: 'poster-code', text: invite.code }),
      h(
        'ol',
        { class: 'poster-steps' },
        h('li', { text: t('poster.step_scan', { team: team.name }) }),
        h('li', { text: t('poster.step_type', { site: `${location.host}/join` }) }),
      ),
    ),
  );
}
