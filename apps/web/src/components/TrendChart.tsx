import { useRef } from 'react';
import type { SeriesPoint } from '@bu/contracts';
import { formatDate } from '../format';
import { displayValue } from './ValueTable';
import { useChart } from './useChart';

// Three significant digits: a rate of 0.05 per 1,000 does not read as 0 on the axis.
const axisNumber = new Intl.NumberFormat('da-DK', { maximumSignificantDigits: 3 });
const formatNumber = (n: number): string => axisNumber.format(n);

/** A point computed for a D before its period's end (this year to date) is marked with a *. */
const partial = (p: SeriesPoint, by: 'year' | 'month'): boolean => p.asOf !== periodEnd(p.period, by);

function periodEnd(period: string, by: 'year' | 'month'): string {
  if (by === 'year') return `${period}-12-31`;
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export const pointLabel = (p: SeriesPoint, by: 'year' | 'month'): string => (partial(p, by) ? `${p.period}*` : p.period);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** A KPI over the years: one line, each point labelled with its value. */
export function TrendChart({ points, by, title }: { points: SeriesPoint[]; by: 'year' | 'month'; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useChart(
    ref,
    (chart) => {
      chart.setOption({
        animation: false,
        grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '–' : formatNumber(v)) },
        xAxis: { type: 'category', data: points.map((p) => pointLabel(p, by)), axisLabel: { color: '#1f2933' } },
        yAxis: { type: 'value', min: 0, axisLabel: { color: '#1f2933', formatter: (v: number) => formatNumber(v) } },
        series: [
          {
            type: 'line',
            symbol: 'circle',
            symbolSize: 7,
            connectNulls: false,
            lineStyle: { color: '#1f5fa8', width: 2 },
            itemStyle: { color: '#1f5fa8' },
            label: {
              show: true,
              position: 'top',
              color: '#1f2933',
              formatter: (p: { value: number | null }) => (p.value === null ? '' : formatNumber(p.value)),
            },
            data: points.map((p) => num(p.value)),
          },
        ],
      });
    },
    [points, by],
  );
  const last = points[points.length - 1];
  // Said in words for screen readers: every point with its value.
  const spoken = points.map((p) => `${pointLabel(p, by)}: ${displayValue(p.value)}`).join('; ');
  return (
    <>
      <div ref={ref} className="chart" role="img" aria-label={`${title}, udvikling: ${spoken}`} style={{ height: 180 }} />
      {last && partial(last, by) && <p className="muted small">* til og med {formatDate(last.asOf)}</p>}
    </>
  );
}

/** The same points as a table: period, the as-of date each was computed for, and the value. */
export function TrendTable({ points, by, caption }: { points: SeriesPoint[]; by: 'year' | 'month'; caption: string }) {
  return (
    <table className="value-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{by === 'year' ? 'År' : 'Måned'}</th>
          <th scope="col">Opgjort pr.</th>
          <th scope="col" className="num">
            Værdi
          </th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={p.period} data-testid={`trend-row-${p.period}`}>
            <th scope="row">{p.period}</th>
            <td>{formatDate(p.asOf)}</td>
            <td className="num" data-value={String(num(p.value))}>
              {displayValue(p.value)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
