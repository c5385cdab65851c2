/** The coordinator's overview on /coordinator: calm, flow and workload for the organisation or one
 * team over 4 / 12 / 52 weeks, the teams × weeks heat map, participation, every solution's
 * before/after across the teams, and the exports. Only closed weeks with at least k answers carry
 * figures (the server's rule); the charts' library loads with the first chart. */

import { exportOrg, getSolutionEffects, getTrends } from '../api.js';
import { heatMap, insightStyles, participation } from '../charts.js';
import { h, uid } from '../dom.js';
import { formatNumber, getLocale, t } from '../i18n.js';
import { DEFAULT_RANGE, effectBlock, rangeStart, rangeSwitch, sinceFirstMembers, trendCharts } from '../insights.js';
import { describeError } from '../messages.js';

/** @typedef {import('../insights.js').OrgTrends} OrgTrends */
/** @typedef {import('../insights.js').TrendPeriod} TrendPeriod */
/** @typedef {import('../api.js').Org} Org */
/** @typedef {import('../charts.js').Metric} Metric */

const ORG = 'org';

/** The weeks of one scope (the organisation, or a team) in the trends, oldest first.
 * @param {OrgTrends} trends @param {string} scope */
function rowsOf(trends, scope) {
  const periods = trends.periods;
  if (scope !== ORG) {
    return periods
      .filter((p) => p.team_id === Number(scope))
      .map((p) => ({ ...p, week: p.period_start }));
  }
  // The organisation row's respondents count the shown teams only; participation adds up every
  // team's answers and members (counts reveal no rating, even for a suppressed cell).
  /** @type {Map<string, {respondents: number, members: number}>} */
  const counts = new Map();
  for (const p of periods) {
    if (p.team_id === null) continue;
    const sum = counts.get(p.period_start) ?? { respondents: 0, members: 0 };
    counts.set(p.period_start, { respondents: sum.respondents + p.respondents, members: sum.members + p.members });
  }
  return periods
    .filter((p) => p.team_id === null)
    .map((p) => ({ ...p, ...(counts.get(p.period_start) ?? {}), week: p.period_start }));
}

/** "De seneste 12 uger: Ro 3,1 · Flow 3,0 · Arbejdspres 3,8 (11 uger med nok svar)".
 * @param {OrgTrends} trends @param {string} scope @param {number} weeks */
function totalsText(trends, scope, weeks) {
  const total = trends.totals.find((x) => (scope === ORG ? x.team_id === null : x.team_id === Number(scope)));
  if (!total || total.weeks === 0) return t('dashboard.totals_none', { weeks, k: trends.threshold });
  return t('dashboard.totals', {
    weeks,
    calm: formatNumber(total.calm),
    flow: formatNumber(total.flow),
    workload: formatNumber(total.workload),
    shown: total.weeks,
  });
}

/** Saves a Blob under `name` (the browser's download). @param {Blob} blob @param {string} name */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name, class: 'sr-only' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * One organisation's overview.
 * @param {HTMLElement} root @param {import('../router.js').Context} ctx @param {Org} org
 * @param {{id: number, name: string}[]} teams @param {boolean} named
 */
async function renderOrg(root, ctx, org, teams, named) {
  /** @type {Map<number, Promise<OrgTrends>>} */
  const loaded = new Map();
  const first = getTrends(org.id);
  loaded.set(DEFAULT_RANGE, first);
  const [trends12, effects] = await Promise.all([first, getSolutionEffects(org.id), insightStyles()]);
  const closedThrough = trends12.closed_through;
  /** @param {number} weeks */
  const trendsFor = (weeks) => {
    if (!loaded.has(weeks)) loaded.set(weeks, getTrends(org.id, rangeStart(closedThrough, weeks)));
    return /** @type {Promise<OrgTrends>} */ (loaded.get(weeks));
  };
  const teamName = new Map(trends12.teams.map((team) => [team.id, team.name]));

  let weeks = DEFAULT_RANGE;
  let scope = ORG;
  /** @type {Metric} */
  let heatMetric = 'workload';

  const scopeSelect = h(
    'select',
    { id: uid('scope') },
    h('option', { value: ORG, text: t('dashboard.whole_org', { org: org.name }) }),
    trends12.teams.map((team) => h('option', { value: String(team.id), text: team.name })),
  );
  const figures = h('div', { class: 'figures', 'aria-busy': 'false' });
  const heat = h('div');
  const people = h('div');
  const solutions = h('div');

  const heatName = uid('heat');
  const heatSwitch = h(
    'fieldset',
    { role: 'radiogroup', class: 'segmented heat-switch' },
    h('legend', { text: t('dashboard.heat_show') }),
    h(
      'div',
      { class: 'options' },
      /** @type {Metric[]} */ (['workload', 'calm']).map((metric) => {
        const id = uid('heat');
        const input = h('input', { type: 'radio', id, name: heatName, value: metric, checked: metric === heatMetric });
        input.addEventListener('change', () => {
          heatMetric = metric;
          void draw();
        });
        return h('div', { class: 'option' }, input, h('label', { for: id }, h('span', { class: 'word', text: t(metric === 'calm' ? 'rating.calm' : 'rating.workload') })));
      }),
    ),
  );

  /** @param {'csv' | 'xlsx'} format */
  const exportButton = (format) => {
    const button = h('button', { type: 'button' }, t(format === 'csv' ? 'dashboard.export_csv' : 'dashboard.export_xlsx'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const { blob, name } = await exportOrg(org.id, format, { from: rangeStart(closedThrough, weeks), lang: getLocale() });
        save(blob, name);
        ctx.announce(t('dashboard.exported'));
      } catch (error) {
        ctx.announce(describeError(error, 'coordinator'), 'error');
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };

  let drawing = 0;
  async function draw() {
    const mine = ++drawing;
    figures.setAttribute('aria-busy', 'true');
    let trends;
    try {
      trends = await trendsFor(weeks);
    } catch (error) {
      figures.replaceChildren(h('p', { class: 'notice', role: 'alert', text: describeError(error, 'coordinator') }));
      return;
    } finally {
      figures.setAttribute('aria-busy', 'false');
    }
    if (mine !== drawing) return;
    const rows = sinceFirstMembers(rowsOf(trends, scope));
    const name = scope === ORG ? org.name : teamName.get(Number(scope)) ?? '';
    const leftOut = scope === ORG && trends.teams_left_out > 0 ? h('p', { class: 'hint', text: t('dashboard.left_out', { n: trends.teams_left_out }) }) : null;
    const anyShown = rows.some((r) => !r.suppressed);
    figures.replaceChildren(
      h('p', { class: 'lead totals', text: `${name}: ${totalsText(trends, scope, weeks)}` }),
      leftOut ?? '',
      anyShown ? h('div', { class: 'chart-grid' }, trendCharts(rows).map((c) => c.element)) : h('p', { class: 'notice', text: t('dashboard.scope_too_few', { k: trends.threshold }) }),
    );

    const heatRows = trends.teams.map((team) => ({
      name: team.name,
      cells: new Map(
        trends.periods
          .filter((p) => p.team_id === team.id)
          .map((p) => [p.period_start, { value: p[heatMetric], suppressed: p.suppressed }]),
      ),
    }));
    const heatWeeks = sinceFirstMembers(rowsOf(trends, ORG)).map((r) => r.week);
    const noWeeks = () => h('p', { class: 'muted', text: t('insights.no_closed_weeks') });
    heat.replaceChildren(
      heatWeeks.length
        ? heatMap({ caption: t('dashboard.heat_caption', { metric: t(heatMetric === 'calm' ? 'rating.calm' : 'rating.workload') }), metric: heatMetric, weeks: heatWeeks, rows: heatRows })
        : noWeeks(),
    );
    people.replaceChildren(rows.length ? participation({ caption: t('dashboard.participation_caption', { name }), weeks: rows.slice().reverse() }) : noWeeks());

    const shown = effects.solutions.filter((s) => scope === ORG || s.team_id === Number(scope));
    solutions.replaceChildren(
      ...(shown.length
        ? shown.map((s) => effectBlock(s, { teamName: teamName.get(s.team_id), level: 'h4' }))
        : [h('p', { class: 'muted', text: t('dashboard.no_solutions') })]),
    );
  }

  scopeSelect.addEventListener('change', () => {
    scope = scopeSelect.value;
    void draw();
  });
  const id = uid('overview');
  root.append(
    h(
      'section',
      { class: 'dashboard', 'aria-labelledby': id },
      h('h2', { id, text: named ? t('dashboard.title_org', { org: org.name }) : t('dashboard.title') }),
      h('p', { class: 'hint', text: t('dashboard.intro', { k: trends12.threshold }) }),
      h(
        'div',
        { class: 'dashboard-controls' },
        rangeSwitch(weeks, (value) => {
          weeks = value;
          void draw();
        }),
        h('div', { class: 'field' }, h('label', { for: scopeSelect.id, text: t('dashboard.scope') }), scopeSelect),
      ),
      figures,
      h('section', { 'aria-labelledby': `${id}-heat` }, h('h3', { id: `${id}-heat`, text: t('dashboard.heat_title') }), heatSwitch, heat),
      h('section', { 'aria-labelledby': `${id}-people` }, h('h3', { id: `${id}-people`, text: t('dashboard.participation') }), people),
      h(
        'section',
        { 'aria-labelledby': `${id}-solutions` },
        h('h3', { id: `${id}-solutions`, text: t('dashboard.solutions') }),
        h('p', { class: 'hint', text: t('dashboard.solutions_intro') }),
        solutions,
      ),
      h(
        'section',
        { 'aria-labelledby': `${id}-export` },
        h('h3', { id: `${id}-export`, text: t('dashboard.export') }),
        h('p', { class: 'hint', text: t('dashboard.export_intro', { k: trends12.threshold }) }),
        h('div', { class: 'row' }, exportButton('csv'), exportButton('xlsx')),
      ),
    ),
  );
  await draw();
}

/**
 * The overview for each of the coordinator's organisations that has teams: an element at once,
 * filled when the figures arrive (the team list above it does not wait).
 * @param {{org: Org, teams: {id: number, name: string}[]}[]} orgs @param {import('../router.js').Context} ctx
 */
export function dashboardSection(orgs, ctx) {
  const root = h('div', { class: 'dashboards' });
  const withTeams = orgs.filter((o) => o.teams.length);
  void (async () => {
    for (const { org, teams } of withTeams) {
      try {
        await renderOrg(root, ctx, org, teams, withTeams.length > 1);
      } catch (error) {
        root.append(h('p', { class: 'notice', role: 'alert', text: describeError(error, 'coordinator') }));
      }
    }
  })();
  return root;
}
