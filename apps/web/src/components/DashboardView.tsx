import { useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { KPI_CATALOGUE, type KpiResponse, type SeriesPoint } from '@bu/contracts';
import type { DashboardDefinition, FigureDefinition } from '@bu/dashboards';
import type { Role } from '@bu/contracts';
import {
  ApiError,
  arrowLists,
  comments as fetchComments,
  deleteComment,
  kpiListArrow,
  kpis,
  saveComment,
  series as fetchSeries,
  type AdminComment,
  type ComparisonGroup,
} from '../api';
import { ComparisonGroups } from './ComparisonGroups';
import { DrillBanner } from './DrillBanner';
import { isDrilled, type Drill } from '../drill';
import { formatDate } from '../format';
import { FigureCard } from './FigureCard';
import { SummaryStrip } from './SummaryStrip';

export function DashboardView({
  dashboard,
  municipality,
  asOf,
  from,
  exportDate,
  maxDataAgeDays = 7,
  role,
  canDrill = false,
  drill,
  groupInAddress,
  onGroupChange,
  teams,
}: {
  dashboard: DashboardDefinition;
  municipality: number;
  asOf?: string;
  /** Start of the period P; default 1 January of D's year. */
  from?: string;
  exportDate?: string | null;
  /** Warn when exportDate is older than this (the municipality's setting data.max_age_days). */
  maxDataAgeDays?: number;
  role: Role;
  /** The user may drill down from an aggregate to the work-list rows behind it. */
  canDrill?: boolean;
  /** The active drill-down (team leader view only). */
  drill?: Drill;
  /** The comparison group in the address (ADR 66): a shared link compares with the same group. */
  groupInAddress?: number | 'all';
  /** A group chosen: written to the address. */
  onGroupChange?: (group: number | 'all') => void;
  /** The user's teams (GET /me); empty: all teams of the municipality. Named in the team leader view's heading. */
  teams?: string[];
}) {
  // Each answer remembers the view it belongs to: another date or group keeps the figures shown
  // until the new ones arrive, another view never shows the previous view's figures.
  const [mainAnswer, setMain] = useState<{ view: string; r: KpiResponse; series: Record<string, SeriesPoint[]> } | null>(null);
  const [benchAnswer, setBench] = useState<{ view: string; r: KpiResponse } | null>(null);
  const viewKey = `${dashboard.id}|${municipality}`;
  const main = mainAnswer?.view === viewKey ? mainAnswer.r : null;
  const seriesOf = mainAnswer?.view === viewKey ? mainAnswer.series : {};
  const bench = benchAnswer?.view === viewKey ? benchAnswer.r : null;
  const [benchBusy, setBenchBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The comments of one municipality and period, shown only beside that municipality's figures.
  const [notesAnswer, setNotes] = useState<{ key: string; list: AdminComment[] }>({ key: '', list: [] });
  // The comparison group chosen per municipality (null: all municipalities), remembered in the browser.
  const [chosen, setChosen] = useState<Record<number, { id: number | null; name: string | null }>>({});
  // The committee compares with all municipalities (a short comparison, no group to choose).
  // The address wins (a shared link); else the group chosen here, else the one remembered in the browser.
  const remembered = chosen[municipality] ?? { id: storedGroup(municipality), name: null };
  const fromAddress =
    groupInAddress === undefined
      ? null
      : { id: groupInAddress === 'all' ? null : groupInAddress, name: remembered.id === groupInAddress ? remembered.name : null };
  const group = role === 'udvalg' ? { id: null, name: null } : (fromAddress ?? remembered);
  const chooseGroup = (g: ComparisonGroup | null) => {
    storeGroup(municipality, g?.id ?? null);
    setChosen((c) => ({ ...c, [municipality]: { id: g?.id ?? null, name: g?.name ?? null } }));
    onGroupChange?.(g?.id ?? 'all');
  };
  const isBenchmark = (id: string) => dashboard.figures.some((f) => f.kpi === id && f.chart === 'benchmark');
  const ids = dashboard.figures.map((f) => f.kpi);
  // One goal, one light (ADR 66): a view with shares fetches the goals too, for the roles that may read them.
  const goalIds =
    dashboard.figures.some((f) => f.chart === 'share') &&
    !ids.includes('goal.status') &&
    (KPI_CATALOGUE['goal.status'].roles as readonly string[]).includes(role)
      ? ['goal.status']
      : [];
  // The summary strip's headlines are read with the view's figures (only last year's on their own).
  const headlineIds = (dashboard.summary ?? []).map((h) => h.kpi).filter((id) => !ids.includes(id));
  const mainIds = [...ids.filter((id) => !isBenchmark(id)), ...headlineIds, ...goalIds];
  const benchIds = ids.filter(isBenchmark);

  useEffect(() => {
    if (mainIds.length === 0) return;
    let cancelled = false;
    setError(null);
    // Lists marked arrow: one Arrow stream each, in parallel with the JSON answer for the rest.
    const arrowIds = arrowLists() ? mainIds.filter((id) => dashboard.figures.some((f) => f.kpi === id && f.arrow)) : [];
    const jsonIds = mainIds.filter((id) => !arrowIds.includes(id));
    if (jsonIds.length === 0) jsonIds.push(...arrowIds.splice(0));
    // Trend figures: the KPI over the years (or months) up to D, fetched alongside.
    const trends = dashboard.figures.filter((f) => f.chart === 'trend' && f.series);
    const seriesAnswers = Promise.all(
      trends.map(async (f) => [f.kpi, (await fetchSeries({ municipality, asOf, id: f.kpi, by: f.series! })).points] as const),
    );
    Promise.all([
      kpis({ municipality, asOf, from, ids: jsonIds }),
      seriesAnswers,
      ...arrowIds.map(async (id) => [id, await kpiListArrow({ municipality, asOf, from, id })] as const),
    ]).then(
      ([r, trendPoints, ...lists]) => {
        if (cancelled) return;
        setMain({ view: viewKey, r: { ...r, kpis: { ...r.kpis, ...Object.fromEntries(lists) } }, series: Object.fromEntries(trendPoints) });
        // The administration's comments for the year of D, shown beside budget lines and goals.
        const period = r.asOf.slice(0, 4);
        if (dashboard.id === 'udvalg')
          fetchComments(municipality, period).then(
            (c) => !cancelled && setNotes({ key: `${municipality}|${period}`, list: c }),
            () => undefined,
          );
      },
      (e: Error) => !cancelled && setError(e.message),
    );
    return () => {
      cancelled = true;
    };
  }, [dashboard.id, municipality, asOf, from]);

  // Benchmarks are fetched on their own, again whenever the comparison group changes.
  useEffect(() => {
    if (benchIds.length === 0) return setBench(null);
    let cancelled = false;
    setBenchBusy(true);
    kpis({ municipality, asOf, from, ids: benchIds, groupId: group.id }).then(
      (r) => {
        if (cancelled) return;
        setBench({ view: viewKey, r });
        setBenchBusy(false);
      },
      (e: ApiError) => {
        if (cancelled) return;
        setBenchBusy(false);
        // A remembered group that was deleted meanwhile: compare with all municipalities.
        if (e.status === 400 && group.id !== null) chooseGroup(null);
        else setError(e.message);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [dashboard.id, municipality, asOf, from, group.id]);

  const response: KpiResponse | null =
    main && (benchIds.length === 0 || bench)
      ? { ...main, kpis: { ...main.kpis, ...bench?.kpis }, dimensions: { ...main.dimensions, ...bench?.dimensions } }
      : benchIds.length > 0 && mainIds.length === 0
        ? bench
        : null;

  // For the browser benchmark: the moment the view first shows its figures (after the next paint).
  const marked = useRef(false);
  useEffect(() => {
    if (!response || marked.current) return;
    marked.current = true;
    requestAnimationFrame(() => performance.mark(VIEW_USABLE, { detail: dashboard.id }));
  }, [response]);

  // The administration (chef, admin) writes the comments the committee reads, for the year of D.
  const period = response?.asOf.slice(0, 4);
  const notes = notesAnswer.key === `${municipality}|${period}` ? notesAnswer.list : [];
  const onSaveComment =
    (role === 'chef' || role === 'admin') && period
      ? async (subjectType: AdminComment['subjectType'], subjectKey: string, text: string | null) => {
          if (text === null) await deleteComment(municipality, { subjectType, subjectKey, period });
          else await saveComment(municipality, { subjectType, subjectKey, period, text });
          setNotes({ key: `${municipality}|${period}`, list: await fetchComments(municipality, period) });
        }
      : undefined;

  const card = (f: FigureDefinition, headingLevel: 2 | 3 = 2) =>
    response && (
      <FigureCard
        key={f.kpi}
        figure={f}
        response={response}
        comments={notes}
        series={seriesOf[f.kpi]}
        onSaveComment={onSaveComment}
        comparedWith={f.chart === 'benchmark' ? (group.id === null ? 'alle kommuner' : (group.name ?? 'valgt gruppe')) : undefined}
        busy={f.chart === 'benchmark' && benchBusy}
        drill={drill}
        canDrill={canDrill}
        headingLevel={headingLevel}
      />
    );

  return (
    <>
      <h1>
        {dashboard.title}
        {dashboard.id === 'teamleder' && teams && `: ${drill?.team ?? (teams.length ? teams.join(', ') : 'alle teams')}`}
      </h1>
      {ids.length === 0 && <p>Nøgletallene til denne visning er under udvikling.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {response && (
        <>
          <p className="muted" data-testid="as-of">
            {/* The committee's D and P are whole months (KPIS.md, committee dates): say which were used. */}
            {role === 'udvalg' ? 'Tal pr.' : 'Opgjort pr.'} {formatDate(response.asOf)}
            {role === 'udvalg' && ' (hele måneder)'} · periode {formatDate(response.period.from)}–{formatDate(response.period.to)}
            {exportDate && <> · data fra udtræk {formatDate(exportDate)}</>}
          </p>
          {exportDate && ageInDays(exportDate) > maxDataAgeDays && (
            <p className="stale" role="status" data-testid="stale-data">
              <span aria-hidden="true">!</span> Data er {ageInDays(exportDate)} dage gamle: seneste udtræk er fra {formatDate(exportDate)}.
            </p>
          )}
          {isDrilled(drill) && <DrillBanner drill={drill} dashboard={dashboard} response={response} />}
          {benchIds.length > 0 && bench && role !== 'udvalg' && !dashboard.sections && (
            <ComparisonGroups
              municipality={municipality}
              names={bench.dimensions?.municipality ?? {}}
              groupId={group.id}
              onChange={chooseGroup}
              canEdit={role === 'chef' || role === 'admin'}
            />
          )}
          {dashboard.sections ? (
            <Sections
              dashboard={dashboard}
              card={card}
              strip={dashboard.summary && <SummaryStrip headlines={dashboard.summary} municipality={municipality} now={response} />}
              groups={
                benchIds.length > 0 &&
                bench &&
                role !== 'udvalg' && (
                  <ComparisonGroups
                    municipality={municipality}
                    names={bench.dimensions?.municipality ?? {}}
                    groupId={group.id}
                    onChange={chooseGroup}
                    canEdit={role === 'chef' || role === 'admin'}
                  />
                )
              }
            />
          ) : (
            <div className="grid">{dashboard.figures.map((f) => card(f))}</div>
          )}
        </>
      )}
    </>
  );
}

/** Whole days from an ISO date to today. */
function ageInDays(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return Math.floor((Date.now() - Date.UTC(y, m - 1, d)) / 86_400_000);
}

const GROUP_KEY = 'boerneblik.comparisonGroup.';

function storedGroup(municipality: number): number | null {
  const v = localStorage.getItem(GROUP_KEY + municipality);
  return v && /^\d+$/.test(v) ? Number(v) : null;
}

function storeGroup(municipality: number, id: number | null): void {
  if (id === null) localStorage.removeItem(GROUP_KEY + municipality);
  else localStorage.setItem(GROUP_KEY + municipality, String(id));
}

/** performance.mark name set when a view first shows its figures. */
export const VIEW_USABLE = 'boerneblik:view-usable';

/** A single number or share: a compact card beside its like; charts and tables get a wide one. */
const compact = (f: FigureDefinition) => f.chart === 'number' || f.chart === 'share';

/**
 * A view in sections (issue 17): an in-page menu, then each section with its heading, its compact
 * cards in a row of their own and its charts and tables below. The summary strip opens the first
 * section; the comparison groups open the comparison.
 */
function Sections({
  dashboard,
  card,
  strip,
  groups,
}: {
  dashboard: DashboardDefinition;
  card: (f: FigureDefinition, headingLevel: 2 | 3) => ReactNode;
  strip?: ReactNode;
  groups?: ReactNode;
}) {
  const sections = dashboard.sections ?? [];
  const go = (e: MouseEvent<HTMLAnchorElement>, id: string) => {
    // The address holds the view and its filters (ADR 66): the menu scrolls, it does not navigate.
    e.preventDefault();
    const heading = document.getElementById(`afsnit-${id}-titel`);
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus({ preventScroll: true });
  };
  return (
    <>
      <nav className="section-menu" aria-label="Afsnit i visningen" data-testid="section-menu">
        <ul>
          {sections.map((s) => (
            <li key={s.id}>
              <a href={`#afsnit-${s.id}`} onClick={(e) => go(e, s.id)}>
                {s.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {sections.map((s, i) => {
        const figures = dashboard.figures.filter((f) => f.section === s.id);
        const small = figures.filter(compact);
        const wide = figures.filter((f) => !compact(f));
        return (
          <section
            key={s.id}
            id={`afsnit-${s.id}`}
            className="view-section"
            aria-labelledby={`afsnit-${s.id}-titel`}
            data-testid={`section-${s.id}`}
          >
            <h2 id={`afsnit-${s.id}-titel`} tabIndex={-1}>
              {s.title}
            </h2>
            {i === 0 && strip}
            {figures.some((f) => f.chart === 'benchmark') && groups}
            {small.length > 0 && <div className="grid compact">{small.map((f) => card(f, 3))}</div>}
            {wide.length > 0 && <div className="grid">{wide.map((f) => card(f, 3))}</div>}
          </section>
        );
      })}
    </>
  );
}
