import { useRef } from 'react';
import { formatNumber, formatShare } from '../format';
import { PART_COLOURS, SHARE_AXIS, stackedShareSeries } from './stacked-shares';
import { useChart } from './useChart';

/** continuity.caseworker_changes as the API gives it (libs/kpi/src/continuity). */
export interface CaseworkerChanges {
  children: number;
  mean: number | null;
  noChangeShare: number | null;
  oneChangeShare: number | null;
  twoOrMoreShare: number | null;
}

// The effect chart's colours: each segment also carries its % as text.
export const CHANGE_PARTS = [
  { key: 'noChangeShare', label: 'Ingen skift', ...PART_COLOURS[0] },
  { key: 'oneChangeShare', label: '1 skift', ...PART_COLOURS[1] },
  { key: 'twoOrMoreShare', label: '2 eller flere skift', ...PART_COLOURS[2] },
] as const;

const meanFormat = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 2 });
export const formatMean = (n: number | null): string => (n === null ? '–' : meanFormat.format(n));

/** The children behind a share: the share is count / children, so this is the count itself. */
export const childrenOf = (share: number | null, children: number): number | null => (share === null ? null : Math.round(share * children));

/** "50 % (2 af 4)": a share always with the children it rests on, so a small team reads it right. */
export function shareOfChildren(share: number | null, children: number): string {
  const n = childrenOf(share, children);
  return share === null || n === null ? '–' : `${formatShare(share)} (${formatNumber(n)} af ${formatNumber(children)})`;
}

/** The children by how often their caseworker changed: one bar, 100 % wide, in three parts. */
export function ChangesChart({ value, title }: { value: CaseworkerChanges; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const empty = value.children === 0;
  useChart(
    ref,
    empty
      ? null
      : (chart) => {
          chart.setOption({
            animation: false,
            grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
            // ECharts' own tooltip markup, which escapes the names (a formatter's text is HTML).
            tooltip: { trigger: 'item', valueFormatter: (v: number) => shareOfChildren(v, value.children) },
            xAxis: SHARE_AXIS,
            yAxis: { type: 'category', data: [`Børn (${formatNumber(value.children)})`], axisLabel: { color: '#1f2933' } },
            series: stackedShareSeries(CHANGE_PARTS, { stack: 'changes', barMaxWidth: 40, data: (key) => [value[key] ?? 0] }),
          });
        },
    [value],
  );
  if (empty) return <p>Ingen børn med en sag, der har været åben i mindst 12 måneder.</p>;
  const spoken = CHANGE_PARTS.map((p) => `${p.label.toLowerCase()} ${shareOfChildren(value[p.key], value.children)}`).join(', ');
  return (
    <>
      <p className="effect-facts" data-testid="changes-facts">
        <strong>{formatNumber(value.children)}</strong> børn · gennemsnitligt <strong>{formatMean(value.mean)}</strong> skift pr. barn
      </p>
      <ul className="legend">
        {CHANGE_PARTS.map((p) => (
          <li key={p.key}>
            <span className="swatch" style={{ background: p.color }} /> {p.label}: {shareOfChildren(value[p.key], value.children)}
          </li>
        ))}
      </ul>
      <div ref={ref} className="chart" style={{ height: 100 }} role="img" aria-label={`${title}: ${spoken}`} />
    </>
  );
}

/** The numbers behind the chart: the children, the mean, and each part's share and children. */
export function ChangesTable({ value, caption }: { value: CaseworkerChanges; caption: string }) {
  return (
    <table className="value-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Skift af rådgiver</th>
          <th scope="col" className="num">
            Børn
          </th>
          <th scope="col" className="num">
            Andel
          </th>
        </tr>
      </thead>
      <tbody>
        {CHANGE_PARTS.map((p) => {
          const n = childrenOf(value[p.key], value.children);
          return (
            <tr key={p.key} data-testid={`changes-row-${p.key}`}>
              <th scope="row">{p.label}</th>
              <td className="num" data-value={n === null ? '' : String(n)}>
                {n === null ? '–' : formatNumber(n)}
              </td>
              <td className="num" data-value={value[p.key] === null ? '' : String(value[p.key])}>
                {value[p.key] === null ? '–' : formatShare(value[p.key]!)}
              </td>
            </tr>
          );
        })}
        <tr>
          <th scope="row">I alt</th>
          <td className="num" data-value={String(value.children)}>
            {formatNumber(value.children)}
          </td>
          <td className="num">{value.children === 0 ? '–' : formatShare(1)}</td>
        </tr>
        <tr>
          <th scope="row">Skift pr. barn (gennemsnit)</th>
          <td className="num" data-value={value.mean === null ? '' : String(value.mean)}>
            {formatMean(value.mean)}
          </td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}
