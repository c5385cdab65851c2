/** The screens of the app. Adding a screen: one entry here, one module in views/, its locale keys. */

/** @type {import('./router.js').Route[]} */
export const routes = [
  { path: '/', view: () => import('./views/today.js'), title: 'today.title', member: true, nav: 'nav.today' },
  { path: '/solutions', view: () => import('./views/solutions.js'), title: 'solutions.title', member: true, nav: 'nav.solutions' },
  { path: '/solutions/new', view: () => import('./views/new-solution.js'), title: 'new.title', member: true },
  { path: '/followup', view: () => import('./views/followup.js'), title: 'followup.title', member: true },
  { path: '/followup/:id', view: () => import('./views/followup.js'), title: 'followup.title', member: true },
  { path: '/team', view: () => import('./views/team.js'), title: 'team.title', member: true, nav: 'nav.team' },
  { path: '/team/print', view: () => import('./views/followup-print.js'), title: 'print.title', member: true },
  { path: '/me', view: () => import('./views/me.js'), title: 'me.title', member: true, nav: 'nav.me' },
  { path: '/join', view: () => import('./views/join.js'), title: 'join.title' },
  { path: '/join/:code', view: () => import('./views/join.js'), title: 'join.title' },
  { path: '/coordinator', view: () => import('./views/coordinator.js'), title: 'coord.title' },
  { path: '/coordinator/teams/:teamId', view: () => import('./views/coordinator.js'), title: 'coord.title' },
  { path: '/coordinator/teams/:teamId/poster/:code', view: () => import('./views/poster.js'), title: 'poster.title' },
];
