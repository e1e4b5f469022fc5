import { DateField } from '../DateField';
import { FormEvent, useState } from 'react';
import { ACTION_AREA_STATUSES, KPI_CATALOGUE, type KpiId, type SeriesPoint } from '@bu/contracts';
import {
  ApiError,
  actionAreas as fetchActionAreas,
  createActionArea,
  reviewResults,
  series as fetchSeries,
  updateActionArea,
  type ActionArea,
  type ActionAreaBody,
  type ReviewResults,
} from '../../api';
import { formatDate, formatShare } from '../../format';
import { workbook, type Cell } from '../../xlsx';
import { TrendChart, TrendTable } from '../TrendChart';
import { isSuppressed } from '../ValueTable';
import { itemTitle, type ItemTitles } from './labels';
import { useLoad } from '../../useLoad';

// Results over time and action areas: the team leader's and the chief's, and the committee's
// (the API gives the committee aggregates only, small cells suppressed, nothing by team or caseworker).

type ItemResult = ReviewResults['items'][number];
type Count = ItemResult['judged'];
type Share = ItemResult['share'];

const showCount = (v: Count): string => (isSuppressed(v) ? '<5' : String(v));
const showShare = (v: Share): string => (isSuppressed(v) ? '–' : v === null ? '' : formatShare(v));
const cellCount = (v: Count): Cell => (isSuppressed(v) ? '<5' : v);
const cellShare = (v: Share): Cell => (isSuppressed(v) ? 'skjult' : v);

export const ACTION_STATUS_NAMES: Record<string, string> = {
  planlagt: 'Planlagt',
  i_gang: 'I gang',
  gennemfoert: 'Gennemført',
  opgivet: 'Opgivet',
};

const kpiTitle = (id: string): string => (KPI_CATALOGUE as Record<string, { title: string }>)[id]?.title ?? id;
/** KPIs an action area may follow: the catalogue, by Danish title. */
const KPI_CHOICES = (Object.keys(KPI_CATALOGUE) as KpiId[]).sort((a, b) =>
  KPI_CATALOGUE[a].title.localeCompare(KPI_CATALOGUE[b].title, 'da'),
);

/** Items × columns (quarters or teams): the share not met, suppressed cells as "–". */
function ShareMatrix({
  caption,
  columns,
  label,
  cells,
  titles,
  testId,
}: {
  caption: string;
  columns: string[];
  label: string;
  cells: Record<string, ItemResult[]>;
  titles: ItemTitles;
  testId: string;
}) {
  if (columns.length === 0) return null;
  const ids = [...new Set(columns.flatMap((c) => cells[c].map((i) => i.id)))];
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="value-table" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Punkt</th>
            {columns.map((c) => (
              <th key={c} scope="col" className="num">
                {label === 'quarter' ? c.replace('K', '. kvt. ').replace(/^(\d{4})\. kvt\. (\d)$/, '$2. kvt. $1') : c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => (
            <tr key={id}>
              <th scope="row">{itemTitle(titles, id)}</th>
              {columns.map((c) => {
                const r = cells[c].find((i) => i.id === id);
                return (
                  <td key={c} className="num">
                    {r ? showShare(r.share) : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The rows of the Excel download: what the tables show. */
function resultRows(r: ReviewResults, titles: ItemTitles): Cell[][] {
  const rows: Cell[][] = [
    [`Sagsgennemgang: resultater ${formatDate(r.from)}–${formatDate(r.to)}`],
    ['Gennemgåede sager', cellCount(r.reviewedCases)],
    [],
    ['Punkt', 'Vurderet', 'Ikke opfyldt', 'Andel ikke opfyldt'],
    ...r.items.map((i) => [itemTitle(titles, i.id), cellCount(i.judged), cellCount(i.notMet), cellShare(i.share)]),
  ];
  const groups: [string, Record<string, ItemResult[]> | undefined][] = [
    ['Kvartal', r.byQuarter],
    ['Team', r.byTeam],
  ];
  for (const [name, cells] of groups) {
    if (!cells) continue;
    for (const key of Object.keys(cells).sort()) {
      rows.push([], [`${name}: ${key}`], ['Punkt', 'Vurderet', 'Ikke opfyldt', 'Andel ikke opfyldt']);
      for (const i of cells[key]) rows.push([itemTitle(titles, i.id), cellCount(i.judged), cellCount(i.notMet), cellShare(i.share)]);
    }
  }
  rows.push([], ['Hyppigste mangler', 'Ikke opfyldt'], ...r.topDeficiencies.map((d) => [itemTitle(titles, d.id), d.notMet]));
  rows.push([], ['Indsatsområder', 'Antal'], ...Object.entries(r.actionAreas).map(([s, n]) => [ACTION_STATUS_NAMES[s] ?? s, n]));
  return rows;
}

function downloadXlsx(r: ReviewResults, titles: ItemTitles): void {
  const bytes = workbook('Sagsgennemgang', resultRows(r, titles));
  const url = URL.createObjectURL(
    new Blob([bytes as BlobPart], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = `sagsgennemgang-${r.municipality}-${r.from}-${r.to}.xlsx`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Results over time: per item the share not met overall, by quarter and (not for the committee) by team. */
export function ResultsSection({
  municipality,
  titles: known,
  committee,
}: {
  municipality: number;
  titles: ItemTitles;
  committee: boolean;
}) {
  const [from, setFrom] = useState('');
  // One caseworker's results at a time (team leader and chief): never a table of caseworkers side by side.
  const [caseworker, setCaseworker] = useState('');
  const [to, setTo] = useState('');
  const [results, setResults] = useState<ReviewResults | null>(null);
  const [error, setError] = useState<string | null>(null);

  useLoad(
    () => {
      setError(null);
      return reviewResults(municipality, from || undefined, to || undefined);
    },
    [municipality, from, to],
    setResults,
    (e) => setError(e.message),
  );

  // The API names the items of the results (the committee may not read checklists).
  const titles: ItemTitles = { ...known, ...results?.titles };
  const caseworkers = results?.byCaseworker ? Object.keys(results.byCaseworker) : [];
  const quarters = results ? Object.keys(results.byQuarter).sort() : [];
  const teams = results?.byTeam ? Object.keys(results.byTeam).sort((a, b) => a.localeCompare(b, 'da')) : [];
  return (
    <section className="card review-results" aria-labelledby="review-results-title" data-testid="review-results">
      <h2 id="review-results-title">Resultater over tid</h2>
      <div className="review-filter">
        <DateField label="Fra" value={from} placeholderIso={results?.from} onChange={setFrom} />
        <DateField
          label="Til"
          value={to}
          placeholderIso={results?.to}
          min={from || undefined}
          minMessage="Til skal ligge efter Fra"
          onChange={setTo}
        />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {results && (
        <>
          <p data-testid="reviewed-cases">
            Færdige sager i perioden {formatDate(results.from)}–{formatDate(results.to)}:{' '}
            <strong>{showCount(results.reviewedCases)}</strong>
          </p>
          <p className="download">
            <button type="button" className="link" onClick={() => downloadXlsx(results, titles)}>
              Hent som Excel
            </button>{' '}
            <button type="button" className="link" onClick={() => window.print()}>
              Udskriv
            </button>
          </p>
          {results.items.length === 0 && <p>Ingen færdige sager i perioden.</p>}
          <div
            className="table-scroll"
            hidden={results.items.length === 0}
            tabIndex={0}
            role="region"
            aria-label="Andel ikke opfyldt pr. punkt"
          >
            <table className="value-table" data-testid="review-items">
              <caption>Andel af gennemgåede sager, hvor punktet ikke er opfyldt</caption>
              <thead>
                <tr>
                  <th scope="col">Punkt</th>
                  <th scope="col" className="num">
                    Vurderet
                  </th>
                  <th scope="col" className="num">
                    Ikke opfyldt
                  </th>
                  <th scope="col" className="num">
                    Andel
                  </th>
                </tr>
              </thead>
              <tbody>
                {results.items.map((i) => (
                  <tr key={i.id} data-testid={`result-${i.id}`}>
                    <th scope="row">{itemTitle(titles, i.id)}</th>
                    <td className="num">{showCount(i.judged)}</td>
                    <td className="num">{showCount(i.notMet)}</td>
                    <td className="num">{showShare(i.share)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ShareMatrix
            caption="Andel ikke opfyldt pr. kvartal"
            columns={quarters}
            label="quarter"
            cells={results.byQuarter}
            titles={titles}
            testId="review-by-quarter"
          />
          {!committee && results.byTeam && (
            <ShareMatrix
              caption="Andel ikke opfyldt pr. team"
              columns={teams}
              label="team"
              cells={results.byTeam}
              titles={titles}
              testId="review-by-team"
            />
          )}
          {!committee && caseworkers.length > 0 && (
            <div className="caseworker-results" data-testid="caseworker-results">
              <label>
                Resultater for én rådgiver (til samtalen med rådgiveren; rådgivere sammenlignes ikke)
                <select value={caseworker} onChange={(e) => setCaseworker(e.target.value)}>
                  <option value="">Vælg rådgiver</option>
                  {caseworkers.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
              {caseworker && results.byCaseworker?.[caseworker] && (
                <ShareMatrix
                  caption={`Andel ikke opfyldt i ${caseworker}s gennemgåede sager`}
                  columns={[caseworker]}
                  label="caseworker"
                  cells={{ [caseworker]: results.byCaseworker[caseworker] }}
                  titles={titles}
                  testId="review-by-caseworker"
                />
              )}
            </div>
          )}
          <h3>Hyppigste mangler</h3>
          {results.topDeficiencies.length === 0 ? (
            <p>Ingen mangler i perioden.</p>
          ) : (
            <ol data-testid="top-deficiencies">
              {results.topDeficiencies.map((d) => (
                <li key={d.id}>
                  {itemTitle(titles, d.id)}: {d.notMet} {d.notMet === 1 ? 'sag' : 'sager'}
                </li>
              ))}
            </ol>
          )}
          <h3>Indsatsområder efter status</h3>
          <ul data-testid="action-status">
            {ACTION_AREA_STATUSES.map((s) => (
              <li key={s}>
                {ACTION_STATUS_NAMES[s]}: {results.actionAreas[s] ?? 0}
              </li>
            ))}
          </ul>
          {committee ? (
            <p className="muted small">Tal under 5 vises ikke. Resultaterne vurderer sagsbehandlingen, aldrig den enkelte medarbejder.</p>
          ) : (
            <p className="muted small">
              Resultaterne vurderer sagsbehandlingen, aldrig den enkelte medarbejder; der vises ingen rangering af rådgivere.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** The trend of the KPI an action area follows (the existing series endpoint), by month. */
function KpiTrend({ municipality, kpi }: { municipality: number; kpi: string }) {
  const [points, setPoints] = useState<SeriesPoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useLoad(
    () => fetchSeries({ municipality, id: kpi, by: 'month' }),
    [municipality, kpi],
    (s) => setPoints(s.points),
    // A KPI the caller's role may not read (the committee's are few): no trend, and no alarm about it.
    (e) => !(e instanceof ApiError && e.status === 403) && setError(e.message),
  );
  if (error) return <p className="error">{error}</p>;
  if (!points) return null;
  return (
    <div className="action-trend" data-testid="action-trend">
      <TrendChart points={points} by="month" title={kpiTitle(kpi)} />
      <details>
        <summary>Tallene bag kurven</summary>
        <TrendTable points={points} by="month" caption={`${kpiTitle(kpi)} pr. måned`} />
      </details>
    </div>
  );
}

const EMPTY_AREA = { title: '', why: '', owner: '', due: '', status: 'planlagt', kpi: '', items: [] as string[] };

/**
 * Action areas: the municipality's (or one round's), each with its KPI's trend when it follows one;
 * `editable`: the team leader and the chief create them and change their status.
 */
export function ActionAreas({
  municipality,
  round,
  titles,
  editable,
  headingLevel = 2,
}: {
  municipality: number;
  round?: number;
  titles: ItemTitles;
  editable: boolean;
  headingLevel?: 2 | 3;
}) {
  const [list, setList] = useState<ActionArea[] | null>(null);
  const [form, setForm] = useState(EMPTY_AREA);
  // The action area being changed (and the round it came from); null: the form makes a new one.
  const [editing, setEditing] = useState<ActionArea | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [version, setVersion] = useState(0);

  useLoad(
    () => fetchActionAreas(municipality),
    [municipality, round, version],
    (l) => setList(round === undefined ? l : l.filter((a) => a.round === round)),
    (e) => setError(e.message),
  );

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setStatus('');
    try {
      const body: ActionAreaBody = {
        municipality,
        round: editing ? editing.round : (round ?? null),
        title: form.title,
        why: form.why || null,
        owner: form.owner,
        due: form.due || null,
        status: form.status as ActionAreaBody['status'],
        items: form.items,
        kpi: form.kpi || null,
      };
      if (editing) await updateActionArea(editing.id, body);
      else await createActionArea(body);
      setForm(EMPTY_AREA);
      setEditing(null);
      setStatus(editing ? `Ændringen af "${form.title.trim()}" er gemt.` : 'Indsatsområdet er oprettet.');
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function changeStatus(a: ActionArea, next: string) {
    setError(null);
    try {
      await updateActionArea(a.id, {
        municipality,
        round: a.round,
        title: a.title,
        why: a.why,
        owner: a.owner,
        due: a.due,
        status: next as ActionAreaBody['status'],
        items: a.items,
        kpi: a.kpi,
      });
      setStatus(`Status for "${a.title}" er gemt.`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  function edit(a: ActionArea) {
    setEditing(a);
    setError(null);
    setForm({ title: a.title, why: a.why ?? '', owner: a.owner, due: a.due ?? '', status: a.status, kpi: a.kpi ?? '', items: a.items });
  }

  const H = headingLevel === 2 ? 'h2' : 'h3';
  const Sub = headingLevel === 2 ? 'h3' : 'h4';
  const itemIds = Object.keys(titles);
  return (
    <section className="card" aria-labelledby={`actions-${round ?? 'all'}`} data-testid="action-areas">
      <H id={`actions-${round ?? 'all'}`}>Indsatsområder</H>
      {list && list.length === 0 && <p>Der er endnu ingen indsatsområder.</p>}
      {list?.map((a) => (
        <article key={a.id} className="action-area" data-testid={`action-${a.id}`}>
          <Sub>{a.title}</Sub>
          <dl className="facts-list">
            {a.why && (
              <>
                <dt>Hvorfor</dt>
                <dd>{a.why}</dd>
              </>
            )}
            <dt>Ejer</dt>
            <dd>{a.owner}</dd>
            {a.due && (
              <>
                <dt>Frist</dt>
                <dd>{formatDate(a.due)}</dd>
              </>
            )}
            <dt>Status</dt>
            <dd>
              {editable ? (
                <select aria-label={`Status for ${a.title}`} value={a.status} onChange={(e) => void changeStatus(a, e.target.value)}>
                  {ACTION_AREA_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {ACTION_STATUS_NAMES[s]}
                    </option>
                  ))}
                </select>
              ) : (
                ACTION_STATUS_NAMES[a.status]
              )}
            </dd>
            {a.items.length > 0 && (
              <>
                <dt>Fund</dt>
                <dd>{a.items.map((i) => itemTitle(titles, i)).join('; ')}</dd>
              </>
            )}
            {a.kpi && (
              <>
                <dt>Nøgletal</dt>
                <dd>{kpiTitle(a.kpi)}</dd>
              </>
            )}
          </dl>
          {a.kpi && <KpiTrend municipality={municipality} kpi={a.kpi} />}
          {editable && (
            <button type="button" className="link" onClick={() => edit(a)} aria-label={`Ret indsatsområdet ${a.title}`}>
              Ret
            </button>
          )}
        </article>
      ))}
      {editable && (
        <form className="review-form" onSubmit={(e) => void create(e)} data-testid="action-form" noValidate>
          <Sub>{editing ? `Ret indsatsområdet "${editing.title}"` : 'Nyt indsatsområde'}</Sub>
          <label>
            Titel
            <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
          </label>
          <label>
            Hvorfor
            <textarea rows={3} value={form.why} onChange={(e) => setForm({ ...form, why: e.target.value })} />
          </label>
          <label>
            Ejer (en rolle eller et team)
            <input value={form.owner} onChange={(e) => setForm({ ...form, owner: e.target.value })} />
          </label>
          <DateField label="Frist" value={form.due} onChange={(due) => setForm({ ...form, due })} />
          <label>
            Status
            <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
              {ACTION_AREA_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {ACTION_STATUS_NAMES[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Nøgletal, hvis effekt følges
            <select value={form.kpi} onChange={(e) => setForm({ ...form, kpi: e.target.value })}>
              <option value="">Intet</option>
              {KPI_CHOICES.map((k) => (
                <option key={k} value={k}>
                  {KPI_CATALOGUE[k].title}
                </option>
              ))}
            </select>
          </label>
          {itemIds.length > 0 && (
            <fieldset>
              <legend>Fund, indsatsområdet svarer på</legend>
              {itemIds.map((id) => (
                <label key={id} className="check">
                  <input
                    type="checkbox"
                    checked={form.items.includes(id)}
                    onChange={(e) =>
                      setForm({ ...form, items: e.target.checked ? [...form.items, id] : form.items.filter((i) => i !== id) })
                    }
                  />
                  {itemTitle(titles, id)}
                </label>
              ))}
            </fieldset>
          )}
          <button type="submit">{editing ? 'Gem ændringen' : 'Opret indsatsområde'}</button>{' '}
          {editing && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setEditing(null);
                setForm(EMPTY_AREA);
              }}
            >
              Fortryd
            </button>
          )}
        </form>
      )}
      <p role="status" className="muted small">
        {status}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
