import { useEffect, useState } from 'react';
import type { KpiResponse } from '@bu/contracts';
import { DATA_MAX_AGE_DAYS, type DashboardDefinition } from '@bu/dashboards';
import type { Role } from '@bu/contracts';
import { comments as fetchComments, kpis, saveComment, type AdminComment } from '../api';
import { formatDate } from '../format';
import { FigureCard } from './FigureCard';

export function DashboardView({
  dashboard,
  municipality,
  asOf,
  exportDate,
  role,
}: {
  dashboard: DashboardDefinition;
  municipality: number;
  asOf?: string;
  exportDate?: string | null;
  role: Role;
}) {
  const [response, setResponse] = useState<KpiResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notes, setNotes] = useState<AdminComment[]>([]);
  const ids = dashboard.figures.map((f) => f.kpi);

  useEffect(() => {
    if (ids.length === 0) return;
    let cancelled = false;
    setError(null);
    kpis({ municipality, asOf, ids }).then(
      (r) => {
        if (cancelled) return;
        setResponse(r);
        // The administration's comments for the year of D, shown beside budget lines and goals.
        if (dashboard.id === 'udvalg') fetchComments(municipality, r.asOf.slice(0, 4)).then((c) => !cancelled && setNotes(c), () => undefined);
      },
      (e: Error) => !cancelled && setError(e.message),
    );
    return () => {
      cancelled = true;
    };
  }, [dashboard.id, municipality, asOf]);

  // The administration (chef, admin) writes the comments the committee reads, for the year of D.
  const period = response?.asOf.slice(0, 4);
  const onSaveComment =
    (role === 'chef' || role === 'admin') && period
      ? async (subjectType: AdminComment['subjectType'], subjectKey: string, text: string) => {
          await saveComment(municipality, { subjectType, subjectKey, period, text });
          setNotes(await fetchComments(municipality, period));
        }
      : undefined;

  return (
    <>
      <h1>{dashboard.title}</h1>
      {ids.length === 0 && <p>Nøgletallene til denne visning er under udvikling.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {response && (
        <>
          <p className="muted" data-testid="as-of">
            Opgjort pr. {formatDate(response.asOf)} · periode {formatDate(response.period.from)}–{formatDate(response.period.to)}
            {exportDate && <> · data fra udtræk {formatDate(exportDate)}</>}
          </p>
          {exportDate && ageInDays(exportDate) > DATA_MAX_AGE_DAYS && (
            <p className="stale" role="status" data-testid="stale-data">
              <span aria-hidden="true">!</span> Data er {ageInDays(exportDate)} dage gamle: seneste udtræk er fra {formatDate(exportDate)}.
            </p>
          )}
          <div className="grid">
            {dashboard.figures.map((f) => (
              <FigureCard key={f.kpi} figure={f} response={response} comments={notes} onSaveComment={onSaveComment} />
            ))}
          </div>
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
