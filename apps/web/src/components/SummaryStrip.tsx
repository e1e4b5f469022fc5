import { useEffect, useState } from 'react';
import type { KpiResponse } from '@bu/contracts';
import type { Headline } from '@bu/dashboards';
import { kpis } from '../api';
import { stripAsks } from '../first-screen';
import { formatDate, formatNumber, formatShare } from '../format';
import { formatAmount, formatKroner, unitOf } from '../units';
import { ShareN } from './ShareCard';

/** A headline's value in its unit: a share in %, kroner whole with kr., else a Danish number. */
const shown = (kpi: string, v: unknown): string =>
  typeof v !== 'number' ? '–' : unitOf(kpi) === 'share' ? formatShare(v) : formatAmount(kpi, v);

/** The change from last year with its sign and unit: "+5", "−3,1 procentpoint", "+12.345 kr.". */
export function changeText(kpi: string, change: number): string {
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const size = Math.abs(change);
  const unit = unitOf(kpi);
  if (unit === 'share') return `${sign}${formatNumber(size * 100)} procentpoint`;
  if (unit === 'kr') return `${sign}${formatKroner(size)}`;
  return `${sign}${formatNumber(size)}`;
}

/** The answers of one headline each as one: the same D and P, each with its last year's value. */
function joined(answers: KpiResponse[]): KpiResponse {
  const [first] = answers;
  const r: KpiResponse = { ...first, kpis: {}, basis: {} };
  const last: NonNullable<KpiResponse['lastYear']> = { ...first.lastYear!, kpis: {}, change: {} };
  for (const a of answers) {
    Object.assign(r.kpis, a.kpis);
    Object.assign(r.basis!, a.basis);
    Object.assign(last.kpis, a.lastYear?.kpis);
    Object.assign(last.change, a.lastYear?.change);
  }
  if (Object.keys(r.basis!).length === 0) delete r.basis;
  return { ...r, lastYear: last };
}

/**
 * The summary strip at the top of a view: each headline figure at D, and the change from the same
 * date last year as the API computes it (GET /kpis?compare=lastYear), with last year's value.
 */
export function SummaryStrip({
  headlines,
  municipality,
  asOf,
  from,
  onSettled,
}: {
  headlines: Headline[];
  municipality: number;
  asOf?: string;
  from?: string;
  /** Its answer (or its error) for these D and P is in: the view's first screen waits for it (ADR 77). */
  onSettled?: () => void;
}) {
  const [answer, setAnswer] = useState<{ key: string; municipality: number; r: KpiResponse } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = `${municipality}|${asOf ?? ''}|${from ?? ''}`;
  useEffect(() => {
    let cancelled = false;
    setError(null);
    // One request per headline: the API computes a request's KPIs one after another, so asked
    // apart they are computed side by side (and a cold strip is not the sum of twelve values, ADR 77).
    Promise.all(stripAsks(headlines, { municipality, asOf, from }).map((params) => kpis(params)))
      .then(joined)
      .then(
        (r) => {
          if (cancelled) return;
          setAnswer({ key, municipality, r });
          onSettled?.();
        },
        (e: Error) => {
          if (cancelled) return;
          // The figures of the date before are not left standing as if they were this date's.
          setAnswer(null);
          setError(e.message);
          onSettled?.();
        },
      );
    return () => {
      cancelled = true;
    };
  }, [key]);
  // Another date of the same municipality keeps its figures until the new ones come (aria-busy);
  // another municipality's are never shown.
  const r = answer?.municipality === municipality ? answer.r : null;
  const last = r?.lastYear;
  return (
    <div className="summary" data-testid="summary-strip" aria-busy={answer?.key !== key || undefined}>
      <h3 className="sr-only">Nøgletal i overblik</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {r && last && (
        <>
          <ul className="summary-strip">
            {headlines.map((h) => {
              const value = r.kpis[h.kpi];
              const before = last.kpis[h.kpi];
              const change = last.change[h.kpi];
              const basis = r.basis?.[h.kpi];
              return (
                <li key={h.kpi} data-testid={`headline-${h.kpi}`}>
                  <span className="headline-title">{h.title}</span>
                  <span className="headline-value" data-value={typeof value === 'number' ? String(value) : undefined}>
                    {shown(h.kpi, value)}
                    <ShareN counts={basis} />
                  </span>
                  <span className="headline-change" data-change={change === null ? undefined : String(change)}>
                    {change === null || change === undefined ? (
                      <>Ingen sammenligning med {formatDate(last.asOf)}</>
                    ) : (
                      <>
                        <span aria-hidden="true">{change > 0 ? '▲' : change < 0 ? '▼' : '●'}</span> {changeText(h.kpi, change)} siden{' '}
                        {formatDate(last.asOf)} ({shown(h.kpi, before)})
                      </>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
          <p className="muted small">
            Ændring fra samme dato sidste år ({formatDate(last.asOf)}, periode {formatDate(last.period.from)}–{formatDate(last.period.to)}).
          </p>
        </>
      )}
    </div>
  );
}
