import { useState } from 'react';
import type { KpiResponse } from '@bu/contracts';
import type { Headline } from '@bu/dashboards';
import { addMonths } from '@bu/domain';
import { kpis } from '../api';
import { formatDate, formatNumber, formatShare } from '../format';
import { formatAmount, formatKroner, unitOf } from '../units';
import { ShareN } from './ShareCard';
import { useLoad } from '../useLoad';

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

/** The same date one year earlier, as the API's compare=lastYear takes it (29 February → 28 February). */
export const yearBefore = (iso: string): string => addMonths(iso, -12);

/**
 * The summary strip at the top of a view: each headline figure at D, from the view's own answer
 * (`now`), and the change from the same date last year. Only last year's values are asked for (D and
 * P one year earlier, as the API's compare=lastYear takes them); the change is now − then, as the
 * API computes it.
 */
export function SummaryStrip({
  headlines,
  municipality,
  now,
}: {
  headlines: Headline[];
  municipality: number;
  /** The view's answer at D and P: it holds every headline's value (and a share's counts). */
  now: KpiResponse;
}) {
  // Last year's answer with the view's answer it belongs to: other dates keep the pair shown until
  // the new one arrives, never this year's new values beside last year's old ones.
  const [answer, setAnswer] = useState<{ key: string; r: KpiResponse; now: KpiResponse } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asOf = yearBefore(now.asOf);
  const from = yearBefore(now.period.from);
  const ids = headlines.map((h) => h.kpi);
  const key = `${municipality}|${asOf}|${from}|${ids.join(',')}`;
  useLoad(
    () => {
      setError(null);
      return kpis({ municipality, asOf, from, ids });
    },
    [key],
    (r) => setAnswer({ key, r, now }),
    (e) => setError(e.message),
  );
  const then = answer?.r ?? null;
  const r = answer?.key === key ? now : (answer?.now ?? null);
  const last = r &&
    then && {
      asOf: then.asOf,
      period: then.period,
      kpis: then.kpis,
      change: Object.fromEntries(
        ids.map((id) => {
          const [a, b] = [r.kpis[id], then.kpis[id]];
          return [id, typeof a === 'number' && typeof b === 'number' ? a - b : null];
        }),
      ) as Record<string, number | null>,
    };
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
