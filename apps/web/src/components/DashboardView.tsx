import { useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import type { KpiResponse, SeriesPoint } from '@bu/contracts';
import type { DashboardDefinition, FigureDefinition } from '@bu/dashboards';
import type { Role } from '@bu/contracts';
import {
  ApiError,
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
import { firstParts, partAsks, partsOf, type Part, type ViewQuery } from '../first-screen';
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
  const viewKey = `${dashboard.id}|${municipality}`;
  // The answers of one view, D and P, part by part (ADR 77). `shown` is the newest set that can be
  // shown: another date keeps the previous figures until the new first screen (a view without
  // sections: every figure) has arrived; another view never shows the previous view's figures.
  const at = `${asOf ?? ''}|${from ?? ''}`;
  const [loaded, setLoaded] = useState<{ current: Loaded | null; shown: Loaded | null }>({ current: null, shown: null });
  const [benchBusy, setBenchBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The summary strip's D and P once its answer (or its error) is in: part of the first screen.
  const [stripAt, setStripAt] = useState<string | null>(null);
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
  const ids = dashboard.figures.map((f) => f.kpi);
  const parts = partsOf(dashboard, role);
  const benchIds = dashboard.figures.filter((f) => f.chart === 'benchmark').map((f) => f.kpi);
  const sectioned = !!dashboard.sections;
  const strip = sectioned && dashboard.summary ? dashboard.summary : null;
  // Every part, the benchmarks included, that the whole view waits for.
  const allParts = [...parts.map((p) => p.id), ...(benchIds.length > 0 ? [BENCHMARKS] : [])];
  const has = (l: Loaded | null, wanted: string[]) => !!l && wanted.every((id) => id in l.parts);
  // What must be in before a set is shown: the first section, or, without sections, everything.
  const firstIds = parts.slice(0, 1).map((p) => p.id);
  const showable = (l: Loaded) => has(l, sectioned ? firstIds : allParts);
  const current = loaded.current?.view === viewKey && loaded.current.at === at ? loaded.current : null;
  const shown = loaded.shown?.view === viewKey ? loaded.shown : null;
  const put = (view: string, forAt: string, id: string, answer: PartAnswer) =>
    setLoaded((prev) => {
      const base = prev.current?.view === view && prev.current.at === forAt ? prev.current : { view, at: forAt, parts: {} };
      const next: Loaded = { ...base, parts: { ...base.parts, [id]: answer } };
      return { current: next, shown: showable(next) ? next : prev.shown };
    });
  // The first screen: the first section's figures and the summary strip, for the D and P asked for.
  const firstReady = sectioned ? has(current, firstIds) && (!strip || stripAt === `${municipality}|${at}`) : has(current, allParts);
  const allReady = firstReady && has(current, allParts);

  // The first section (a view without sections: all of it) at once.
  useEffect(() => {
    const first = firstParts(dashboard, role);
    if (first.length === 0) return;
    let cancelled = false;
    setError(null);
    for (const part of first)
      loadPart(part, { municipality, asOf, from }, sectioned).then(
        (answer) => {
          if (cancelled) return;
          markPart(part.id);
          put(viewKey, at, part.id, answer);
          // The administration's comments for the year of D, shown beside budget lines and goals.
          const period = answer.r.asOf.slice(0, 4);
          if (dashboard.id === 'udvalg' && part === first[0])
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

  // The sections below, once the first screen has its figures: they do not compete with it for the
  // API's (and the database's) time. Each is shown as it arrives.
  const restGo = sectioned && firstReady;
  useEffect(() => {
    if (!restGo) return;
    let cancelled = false;
    for (const part of parts.slice(1))
      loadPart(part, { municipality, asOf, from }).then(
        (answer) => {
          if (cancelled) return;
          markPart(part.id);
          put(viewKey, at, part.id, answer);
        },
        (e: Error) => !cancelled && setError(e.message),
      );
    return () => {
      cancelled = true;
    };
  }, [dashboard.id, municipality, asOf, from, restGo]);

  // Benchmarks are fetched on their own, again whenever the comparison group changes; in a view in
  // sections after the first screen (they stand in the last section).
  const benchGo = !sectioned || firstReady;
  useEffect(() => {
    if (benchIds.length === 0 || !benchGo) return;
    let cancelled = false;
    setBenchBusy(true);
    kpis({ municipality, asOf, from, ids: benchIds, groupId: group.id }).then(
      (r) => {
        if (cancelled) return;
        markPart(BENCHMARKS);
        put(viewKey, at, BENCHMARKS, { r, series: {} });
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
  }, [dashboard.id, municipality, asOf, from, group.id, benchGo]);

  const response = shown && Object.keys(shown.parts).length > 0 ? merged(Object.values(shown.parts).map((a) => a.r)) : null;
  const bench = shown?.parts[BENCHMARKS]?.r ?? null;
  const seriesOf: Record<string, SeriesPoint[]> = {};
  for (const a of Object.values(shown?.parts ?? {})) Object.assign(seriesOf, a.series);

  // For the browser benchmark: the moment the first screen shows its figures, and the moment every
  // figure of the view has its data (each after the next paint), once per page.
  const marked = useRef({ usable: false, complete: false });
  useEffect(() => {
    if (firstReady && !marked.current.usable) {
      marked.current.usable = true;
      requestAnimationFrame(() => performance.mark(VIEW_USABLE, { detail: dashboard.id }));
    }
    if (allReady && !marked.current.complete) {
      marked.current.complete = true;
      requestAnimationFrame(() => performance.mark(VIEW_COMPLETE, { detail: dashboard.id }));
    }
  }, [firstReady, allReady]);

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
    response && f.kpi in response.kpis ? (
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
    ) : (
      sectioned && <PendingCard key={f.kpi} figure={f} headingLevel={headingLevel} />
    );
  // The comparison groups, above the figures (in the benchmark section when the view has sections).
  const groups = benchIds.length > 0 && bench && role !== 'udvalg' && (
    <ComparisonGroups
      municipality={municipality}
      names={bench.dimensions?.municipality ?? {}}
      groupId={group.id}
      onChange={chooseGroup}
      canEdit={role === 'chef' || role === 'admin'}
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
          {!dashboard.sections && groups}
        </>
      )}
      {sectioned ? (
        <Sections
          dashboard={dashboard}
          card={card}
          strip={
            strip && (
              <SummaryStrip
                headlines={strip}
                municipality={municipality}
                asOf={asOf}
                from={from}
                onSettled={() => {
                  markPart('summary');
                  setStripAt(`${municipality}|${at}`);
                }}
              />
            )
          }
          groups={groups}
        />
      ) : (
        response && <div className="grid">{dashboard.figures.map((f) => card(f))}</div>
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

/** performance.mark set when the first screen shows its figures (a view without sections: all of them). */
export const VIEW_USABLE = 'boerneblik:view-usable';
/** performance.mark set when every figure of the view has its data. */
export const VIEW_COMPLETE = 'boerneblik:view-complete';

/** performance.mark prefix set as each part's answer arrives (the browser benchmark times each). */
export const VIEW_PART = 'boerneblik:part:';
const markPart = (id: string) => performance.mark(VIEW_PART + id);

/** The part of the answers the benchmarks come in (fetched again for another comparison group). */
const BENCHMARKS = 'benchmarks';

/** One part's answer: its figures and the series of its trends. */
interface PartAnswer {
  r: KpiResponse;
  series: Record<string, SeriesPoint[]>;
}

/** The parts answered of one view (dashboard and municipality), D and P. */
interface Loaded {
  view: string;
  at: string;
  parts: Record<string, PartAnswer>;
}

/**
 * A part's figures: its JSON answers, its Arrow lists and its trends' series, in parallel (the
 * requests partAsks names, which the page's entry may have asked for already, ADR 0112).
 */
async function loadPart(part: Part, q: ViewQuery, split = false): Promise<PartAnswer> {
  const asks = partAsks(part, q, split);
  // The first screen's figures one request each: the API computes a request's KPIs one after
  // another, so asked apart they are computed side by side.
  const [r, trendPoints, ...lists] = await Promise.all([
    Promise.all(asks.kpis.map((params) => kpis(params))).then(merged),
    Promise.all(asks.series.map(async (params) => [params.id, (await fetchSeries(params)).points] as const)),
    ...asks.arrowIds.map(async (id) => [id, await kpiListArrow({ ...q, id })] as const),
  ]);
  return { r: { ...r, kpis: { ...r.kpis, ...Object.fromEntries(lists) } }, series: Object.fromEntries(trendPoints) };
}

/** The answers of several parts as one (the same D, P and municipality). */
function merged(answers: KpiResponse[]): KpiResponse {
  const all: KpiResponse = { ...answers[0], kpis: {} };
  for (const r of answers) {
    all.kpis = { ...all.kpis, ...r.kpis };
    if (r.basis) all.basis = { ...all.basis, ...r.basis };
    if (r.lights) all.lights = { ...all.lights, ...r.lights };
    if (r.dimensions) all.dimensions = { ...all.dimensions, ...r.dimensions };
  }
  return all;
}

/** A figure whose part has not arrived yet: its title, and that it is on its way. */
function PendingCard({ figure, headingLevel }: { figure: FigureDefinition; headingLevel: 2 | 3 }) {
  const Heading = headingLevel === 3 ? 'h3' : 'h2';
  const headingId = `pending-${figure.kpi.replace(/\W/g, '-')}`;
  return (
    <section
      className={`card card-${figure.chart} card-pending`}
      aria-labelledby={headingId}
      aria-busy="true"
      data-testid={`pending-${figure.kpi}`}
    >
      <div className="card-head">
        <Heading id={headingId}>{figure.title}</Heading>
      </div>
      <p className="muted">Henter tal …</p>
    </section>
  );
}

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
