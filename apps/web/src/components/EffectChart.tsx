import { useRef } from 'react';
import { formatNumber, formatShare } from '../format';

import type { EffectChange, EffectGroup } from '@bu/contracts';
import { PART_COLOURS, SHARE_AXIS, stackedShareSeries } from './stacked-shares';
import { useChart } from './useChart';

export type { EffectChange, EffectGroup };

export const ALL_CHILDREN = 'Alle børn';

/** The rows drawn: every child first, then each measure type as the API orders them. */
export function effectRows(value: EffectChange): [string, EffectGroup][] {
  return [[ALL_CHILDREN, value], ...Object.entries(value.byMeasureType ?? {})];
}

// Each segment also carries its % as text (the colours: stacked-shares.ts).
export const EFFECT_PARTS = [
  { key: 'improved', label: 'Forbedret', ...PART_COLOURS[0] },
  { key: 'unchanged', label: 'Uændret', ...PART_COLOURS[1] },
  { key: 'worsened', label: 'Forværret', ...PART_COLOURS[2] },
] as const;

const signed = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
export const formatChange = (n: number | null): string => (n === null ? '–' : signed.format(n));

/** Share improved / unchanged / worsened per measure type as one stacked horizontal bar each. */
export function EffectChart({ value, title }: { value: EffectChange; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const rows = effectRows(value).filter(([, g]) => g.children > 0);
  useChart(
    ref,
    rows.length === 0
      ? null
      : (chart) => {
          // ECharts draws the first category at the bottom: reverse so the list reads top to bottom.
          const drawn = [...rows].reverse();
          chart.setOption({
            animation: false,
            grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => formatShare(v) },
            xAxis: SHARE_AXIS,
            yAxis: {
              type: 'category',
              data: drawn.map(([name, g]) => `${name} (${formatNumber(g.children)})`),
              axisLabel: { color: '#1f2933', width: 180, overflow: 'truncate' },
            },
            series: stackedShareSeries(EFFECT_PARTS, {
              stack: 'effect',
              barMaxWidth: 28,
              data: (key) => drawn.map(([, g]) => g[key] ?? 0),
            }),
          });
        },
    [value],
  );
  if (rows.length === 0) return <p>Ingen børn med effektmålinger på to forskellige datoer.</p>;
  const spoken = rows
    .map(
      ([name, g]) =>
        `${name}, ${formatNumber(g.children)} børn: ${EFFECT_PARTS.map((p) => `${p.label.toLowerCase()} ${formatShare(g[p.key] ?? 0)}`).join(', ')}`,
    )
    .join('; ');
  return (
    <>
      <p className="effect-facts">
        <strong>{formatNumber(value.children)}</strong> børn med mindst to målinger · gennemsnitlig ændring{' '}
        <strong>{formatChange(value.meanChange)}</strong> point
      </p>
      <ul className="legend">
        {EFFECT_PARTS.map((p) => (
          <li key={p.key}>
            <span className="swatch" style={{ background: p.color }} /> {p.label}
          </li>
        ))}
      </ul>
      <div
        ref={ref}
        className="chart"
        style={{ height: Math.max(120, rows.length * 40 + 40) }}
        role="img"
        aria-label={`${title}: ${spoken}`}
      />
    </>
  );
}

/** The numbers behind the effect chart: children, the three shares and the mean change per row. */
export function EffectTable({ value, caption }: { value: EffectChange; caption: string }) {
  return (
    <table className="value-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Indsats</th>
          <th scope="col" className="num">
            Børn
          </th>
          {EFFECT_PARTS.map((p) => (
            <th key={p.key} scope="col" className="num">
              {p.label}
            </th>
          ))}
          <th scope="col" className="num">
            Gns. ændring
          </th>
        </tr>
      </thead>
      <tbody>
        {effectRows(value).map(([name, g]) => (
          <tr key={name} data-testid={`effect-row-${name}`}>
            <th scope="row">{name}</th>
            <td className="num" data-value={String(g.children)}>
              {formatNumber(g.children)}
            </td>
            {EFFECT_PARTS.map((p) => (
              <td key={p.key} className="num" data-value={g[p.key] === null ? '' : String(g[p.key])}>
                {g[p.key] === null ? '–' : formatShare(g[p.key]!)}
              </td>
            ))}
            <td className="num" data-value={g.meanChange === null ? '' : String(g.meanChange)}>
              {formatChange(g.meanChange)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
