import { useEffect, useRef } from 'react';
import { BarChart } from 'echarts/charts';
import { GridComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import type { Benchmark } from '@bu/contracts';
import { formatNumber } from '../format';

echarts.use([BarChart, GridComponent, MarkLineComponent, MarkAreaComponent, TooltipComponent, SVGRenderer, LegacyGridContainLabel]);

/** Every municipality in the group as a bar, the own one highlighted, the median line and the quartile band. */
export function BenchmarkChart({
  value,
  own,
  names,
  title,
}: {
  value: Benchmark;
  own: number;
  names: Record<string, string>;
  title: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(value.group).sort((a, b) => b[1] - a[1]);
  useEffect(() => {
    if (!ref.current || entries.length === 0) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
      xAxis: {
        type: 'category',
        data: entries.map(([c]) => names[c] ?? c),
        axisLabel: { show: entries.length <= 12, rotate: 45, color: '#1f2933' },
      },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v) } },
      series: [
        {
          type: 'bar',
          data: entries.map(([c, v]) => ({ value: v, itemStyle: { color: Number(c) === own ? '#b45309' : '#9fb3c8' } })),
          markLine:
            value.median === null
              ? undefined
              : {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: '#1f2933' },
                  label: { formatter: 'Median', position: 'insideEndTop', color: '#1f2933' },
                  data: [{ yAxis: value.median }],
                },
          markArea:
            value.q1 === null
              ? undefined
              : { silent: true, itemStyle: { color: 'rgba(31, 95, 153, 0.12)' }, data: [[{ yAxis: value.q1 }, { yAxis: value.q3 }]] },
        },
      ],
    });
    return () => chart.dispose();
  }, [value, own]);
  return (
    <>
      <p className="benchmark-facts" data-testid="benchmark-facts">
        <strong>{value.own === null ? '–' : formatNumber(value.own)}</strong> ({value.year ?? '–'}) · median{' '}
        {value.median === null ? '–' : formatNumber(value.median)} · nr. {value.rank ?? '–'} af {value.count}
        {/* The committee gets the published figures only (ownLive withheld as null). */}
        {value.ownLive !== null && <span className="muted small"> · egne sagsdata i perioden: {formatNumber(value.ownLive)}</span>}
      </p>
      <div
        ref={ref}
        className="chart"
        style={{ height: 220 }}
        role="img"
        aria-label={`${title}: egen kommune ${value.own === null ? 'ingen værdi' : formatNumber(value.own)}, median ${value.median === null ? 'ingen' : formatNumber(value.median)}, nr. ${value.rank ?? '–'} af ${value.count}`}
      />
    </>
  );
}
