import { KPI_CATALOGUE, type MunicipalityInfo, type Role } from '@bu/contracts';
import { DASHBOARDS, type DashboardDefinition, type FigureDefinition, type Headline } from '@bu/dashboards';
import { arrowLists, askKpisEarly, askSeriesEarly, earlyAsked, peekEarly, type KpisParams, type SeriesParams } from './api';
import { parseHash, type Filters } from './drill';

// Which dashboard, municipality and requests a view opens with: read by the app when it renders,
// and by the page's entry before the app's code has loaded, which asks for the first screen's
// figures at once (ADR 0112). Both read them here, so the two cannot ask for different things.

/** Each role's view when the address names none (or one the role may not open). */
const LANDING: Record<string, string> = { udvalg: 'udvalg', chef: 'chef', teamleder: 'teamleder', admin: 'datakvalitet' };

/** The dashboards a role may open. */
export const dashboardsOf = (role: Role): DashboardDefinition[] => DASHBOARDS.filter((d) => d.roles.includes(role));

/** The dashboard shown for the view of the address: that view when the role may open it, else the role's own. */
export function dashboardFor(role: Role, view: string): DashboardDefinition | undefined {
  const allowed = dashboardsOf(role);
  return allowed.find((d) => d.id === view) ?? allowed.find((d) => d.id === LANDING[role]) ?? allowed[0];
}

/** The municipality of the address when the user may see it, else the user's first. */
export const startingMunicipality = (places: MunicipalityInfo[], filters: Filters): number | null =>
  places.find((p) => p.code === filters.municipality)?.code ?? places[0]?.code ?? null;

/** What one part of a view asks for: a section's figures (the benchmarks aside), or a whole view's. */
export interface Part {
  id: string;
  ids: string[];
  /** Lists fetched as Apache Arrow streams, one each. */
  arrowIds: string[];
  /** Trend figures: the KPI over the years (or months) up to D. */
  trends: FigureDefinition[];
}

/**
 * The parts a view loads (ADR 77): in a view with sections one per section, in order, so the first
 * screen need not wait for the sections below; else one. A part with a share fetches the goals too
 * (one goal, one light, ADR 66) for the roles that may read them: the API computes them once.
 */
export function partsOf(dashboard: DashboardDefinition, role: Role): Part[] {
  const groups = dashboard.sections
    ? dashboard.sections.map((s) => ({ id: s.id, figures: dashboard.figures.filter((f) => f.section === s.id) }))
    : [{ id: 'all', figures: dashboard.figures }];
  const goals =
    (KPI_CATALOGUE['goal.status'].roles as readonly string[]).includes(role) && !dashboard.figures.some((f) => f.kpi === 'goal.status');
  return groups
    .map(({ id, figures }) => {
      const own = figures.filter((f) => f.chart !== 'benchmark');
      const ids = [...own.map((f) => f.kpi), ...(goals && own.some((f) => f.chart === 'share') ? ['goal.status'] : [])];
      return {
        id,
        ids,
        arrowIds: own.filter((f) => f.arrow).map((f) => f.kpi),
        trends: own.filter((f) => f.chart === 'trend' && f.series),
      };
    })
    .filter((p) => p.ids.length > 0);
}

/** D and P of a view and its municipality. */
export interface ViewQuery {
  municipality: number;
  asOf?: string;
  from?: string;
}

/**
 * A part's requests: its figures as one JSON request, or one request each (`split`: the first
 * screen's, which the API then computes side by side), its trends' series, and its lists as Arrow
 * streams when this browser takes them.
 */
export function partAsks(part: Part, q: ViewQuery, split: boolean): { kpis: KpisParams[]; series: SeriesParams[]; arrowIds: string[] } {
  const arrowIds = arrowLists() ? [...part.arrowIds] : [];
  const jsonIds = part.ids.filter((id) => !arrowIds.includes(id));
  if (jsonIds.length === 0) jsonIds.push(...arrowIds.splice(0));
  return {
    kpis: split ? jsonIds.map((id) => ({ ...q, ids: [id] })) : [{ ...q, ids: jsonIds }],
    series: part.trends.map((f) => ({ municipality: q.municipality, asOf: q.asOf, id: f.kpi, by: f.series! })),
    arrowIds,
  };
}

/** The first screen's parts (ADR 77): a view with sections its first section, else the whole view. */
export const firstParts = (dashboard: DashboardDefinition, role: Role): Part[] =>
  dashboard.sections ? partsOf(dashboard, role).slice(0, 1) : partsOf(dashboard, role);

/** The summary strip's requests: each headline alone, with its value last year (ADR 77). */
export const stripAsks = (headlines: readonly Headline[], q: ViewQuery): KpisParams[] =>
  headlines.map((h) => ({ ...q, ids: [h.kpi], compare: 'lastYear' as const }));

/**
 * The first screen's figures asked for as soon as the user and their municipalities are known,
 * while the app's code still loads (ADR 0112): the view takes each answer when it asks the same.
 * Nothing when the address is not a dashboard's (the administration, case review, reports), when
 * there is no token, or when the view has already begun to ask.
 */
export async function askFirstScreenEarly(): Promise<void> {
  const asked = peekEarly();
  if (!asked) return;
  const [user, places] = await Promise.all([asked.me, asked.places]).catch(() => [null, null] as const);
  // Meanwhile the user may have logged out or another may have logged in (the answers are then
  // not theirs), or the view may have begun to ask.
  if (!user || !places || peekEarly() !== asked || earlyAsked()) return;
  const route = parseHash(window.location.hash);
  if (route.view !== '' && !dashboardsOf(user.role).some((d) => d.id === route.view)) return;
  const dashboard = dashboardFor(user.role, route.view);
  const municipality = startingMunicipality(places, route.filters);
  if (!dashboard || municipality === null) return;
  const q: ViewQuery = { municipality, asOf: route.filters.asOf, from: route.filters.from };
  // The strip stands in a view with sections (DashboardView).
  if (dashboard.sections && dashboard.summary) for (const params of stripAsks(dashboard.summary, q)) askKpisEarly(params);
  for (const part of firstParts(dashboard, user.role)) {
    const asks = partAsks(part, q, !!dashboard.sections);
    for (const params of asks.kpis) askKpisEarly(params);
    for (const params of asks.series) askSeriesEarly(params);
  }
}
