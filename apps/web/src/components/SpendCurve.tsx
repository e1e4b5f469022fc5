import { useRef } from 'react';
import { SPEND_CURVE_LINES, spendCurveColumns, spendCurveYears, type SpendCurveValue } from '@bu/contracts';
import { formatNumber } from '../format';
import { useChart } from './useChart';

export const MONTHS = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
/**
 * Told apart without colour too: last year grey and dashed, this year blue and solid, the forecast
 * blue and dotted with open points, the budget near black, solid and without points.
 */
const STYLES = [
  { color: '#6b7280', type: 'dashed' },
  { color: '#1f5fa8', type: 'solid' },
];
const FORECAST = { color: '#1f5fa8', type: 'dotted' };
const BUDGET = { color: '#1f2933', type: 'solid' };
const mio = (kr: number) => `${formatNumber(kr / 1_000_000)} mio. kr.`;
/** A month's amount for the chart: a withheld one is a gap. */
const amount = (v: unknown) => (typeof v === 'number' ? v : null);

/** budget.spend_curve: spend to date month by month, this year against last year, the budget and the forecast. */
export function SpendCurve({ value, title }: { value: SpendCurveValue; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const years = spendCurveYears(value);
  const forecast = value.forecast?.map(amount) ?? [];
  const budget = value.budget?.map(amount) ?? [];
  const hasForecast = forecast.some((v) => v !== null);
  const hasBudget = budget.some((v) => v !== null);
  useChart(
    ref,
    (chart) => {
      const line = (name: string, data: (number | null)[], style: { color: string; type: string }, symbol: string, width = 2) => ({
        name,
        type: 'line',
        symbol,
        showSymbol: symbol !== 'none',
        connectNulls: false,
        lineStyle: { color: style.color, type: style.type, width },
        itemStyle: { color: style.color },
        data,
      });
      const series = [
        ...years.map((y, i) => line(y, value[y].map(amount), STYLES[i === years.length - 1 ? 1 : 0], 'circle')),
        ...(hasForecast ? [line(SPEND_CURVE_LINES.forecast, forecast, FORECAST, 'emptyCircle')] : []),
        ...(hasBudget ? [line(SPEND_CURVE_LINES.budget, budget, BUDGET, 'none', 2.5)] : []),
      ];
      chart.setOption({
        animation: false,
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        legend: { top: 0, data: series.map((s) => s.name) },
        tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '–' : mio(v)) },
        xAxis: { type: 'category', data: MONTHS, axisLabel: { color: '#1f2933' } },
        yAxis: {
          type: 'value',
          axisLabel: { color: '#1f2933', formatter: (v: number) => formatNumber(v / 1_000_000) },
          name: 'mio. kr.',
          nameTextStyle: { color: '#1f2933' },
        },
        series,
      });
    },
    [value],
  );
  // Said in words for screen readers: each year's spend at its last month with data, the budget and
  // the forecast for December.
  const spoken = [
    ...years.map((y) => {
      const last = value[y].reduce<number>((at, v, i) => (v === null ? at : i), -1);
      return last < 0 ? `${y}: ingen data` : `${y}: ${mio(amount(value[y][last]) ?? 0)} til og med ${MONTHS[last]}`;
    }),
    ...(hasBudget ? [`${SPEND_CURVE_LINES.budget.toLowerCase()} ${mio(budget.find((v) => v !== null)!)}`] : []),
    ...(hasForecast && forecast[11] !== null ? [`${SPEND_CURVE_LINES.forecast.toLowerCase()} ${mio(forecast[11])} i december`] : []),
  ].join('; ');
  return <div ref={ref} className="chart" role="img" aria-label={`${title}: ${spoken}`} style={{ height: 260 }} />;
}

/** The same figures as a table: a row per month, a column per year, the budget and the forecast, kr. */
export function SpendTable({ value, caption }: { value: SpendCurveValue; caption: string }) {
  const columns = spendCurveColumns(value);
  const cell = (v: unknown) => (v === null || v === undefined ? '–' : typeof v === 'number' ? formatNumber(v) : 'skjult');
  return (
    <table className="value-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Måned</th>
          {columns.map((c) => (
            <th key={c.key} scope="col" className="num">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {MONTHS.map((m, i) => (
          <tr key={m} data-testid={`month-${i + 1}`}>
            <th scope="row">{m}</th>
            {columns.map((c) => (
              <td key={c.key} className="num" data-value={JSON.stringify(value[c.key][i])}>
                {cell(value[c.key][i])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
