import { useEffect, useRef } from 'react';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import { formatNumber } from '../format';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer, LegacyGridContainLabel]);

export const MONTHS = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
/** Last year grey and dashed, this year blue and solid: told apart without colour too. */
const STYLES = [
  { color: '#6b7280', type: 'dashed' },
  { color: '#1f5fa8', type: 'solid' },
];
const mio = (kr: number) => `${formatNumber(kr / 1_000_000)} mio. kr.`;

/** budget.spend_curve: spend to date month by month, this year against last year. */
export function SpendCurve({ value, title }: { value: Record<string, (number | null)[]>; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const years = Object.keys(value).sort();
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, data: years },
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '–' : mio(v)) },
      xAxis: { type: 'category', data: MONTHS, axisLabel: { color: '#1f2933' } },
      yAxis: {
        type: 'value',
        axisLabel: { color: '#1f2933', formatter: (v: number) => formatNumber(v / 1_000_000) },
        name: 'mio. kr.',
        nameTextStyle: { color: '#1f2933' },
      },
      series: years.map((y, i) => ({
        name: y,
        type: 'line',
        symbol: 'circle',
        connectNulls: false,
        lineStyle: { color: STYLES[i % 2].color, type: STYLES[i % 2].type, width: 2 },
        itemStyle: { color: STYLES[i % 2].color },
        data: value[y],
      })),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [value]);
  // Said in words for screen readers: each year's spend at its last month with data.
  const spoken = years
    .map((y) => {
      const last = value[y].reduce<number>((at, v, i) => (v === null ? at : i), -1);
      return last < 0 ? `${y}: ingen data` : `${y}: ${mio(value[y][last]!)} til og med ${MONTHS[last]}`;
    })
    .join('; ');
  return <div ref={ref} className="chart" role="img" aria-label={`${title}: ${spoken}`} style={{ height: 260 }} />;
}

/** The same figures as a table: a row per month, a column per year, kr. to date. */
export function SpendTable({ value, caption }: { value: Record<string, (number | null)[]>; caption: string }) {
  const years = Object.keys(value).sort();
  return (
    <table className="value-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Måned</th>
          {years.map((y) => (
            <th key={y} scope="col" className="num">
              {y}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {MONTHS.map((m, i) => (
          <tr key={m} data-testid={`month-${i + 1}`}>
            <th scope="row">{m}</th>
            {years.map((y) => (
              <td key={y} className="num" data-value={String(value[y][i])}>
                {value[y][i] === null ? '–' : formatNumber(value[y][i])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
