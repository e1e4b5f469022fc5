import { useRef } from 'react';
import type { Benchmark } from '@bu/contracts';
import { formatNumber } from '../format';
import { benchmarkSentences, formatAmount, isKroner, rankText } from '../units';
import { useChart } from './useChart';

/** Every municipality in the group as a bar, the own one highlighted, the median line and the quartile band. */
export function BenchmarkChart({
  value,
  own,
  names,
  title,
  kpi,
}: {
  /** The benchmark KPI: its unit and what its rank 1 is. */
  kpi: string;
  value: Benchmark;
  own: number;
  names: Record<string, string>;
  title: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(value.group).sort((a, b) => b[1] - a[1]);
  const show = (n: number | null) => (n === null ? '–' : formatAmount(kpi, n));
  const rank = rankText(kpi, value.rank, value.count);
  // Published and own figures side by side: each says what it counts and per which population band.
  const said = benchmarkSentences(kpi, value);
  useChart(
    ref,
    entries.length === 0
      ? null
      : (chart) => {
          chart.setOption({
            animation: false,
            grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
            tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatAmount(kpi, v) },
            xAxis: {
              type: 'category',
              data: entries.map(([c]) => names[c] ?? c),
              axisLabel: { show: entries.length <= 12, rotate: 45, color: '#1f2933' },
            },
            yAxis: { type: 'value', name: isKroner(kpi) ? 'kr.' : undefined, axisLabel: { formatter: (v: number) => formatNumber(v) } },
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
        },
    [value, own],
  );
  return (
    <>
      <p className="benchmark-facts" data-testid="benchmark-facts">
        <strong>{show(value.own)}</strong> ({value.year ?? '–'}) · median {show(value.median)} · {rank}
        {/* The committee gets the published figures only (ownLive withheld as null). */}
        {value.ownLive !== null && <span className="muted small"> · egne sagsdata: {show(value.ownLive)}</span>}
      </p>
      {said.live && (
        <p className="muted small" data-testid="benchmark-what">
          {said.published} {said.live}
        </p>
      )}
      <div
        ref={ref}
        className="chart"
        style={{ height: 220 }}
        role="img"
        aria-label={`${title}: egen kommune ${value.own === null ? 'ingen værdi' : show(value.own)}, median ${value.median === null ? 'ingen' : show(value.median)}, ${rank}`}
      />
    </>
  );
}
