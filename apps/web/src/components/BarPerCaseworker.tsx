import { useRef } from 'react';
import { formatNumber } from '../format';
import { useChart } from './useChart';

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** A caseworker who has left: drawn in a hatched grey so the leader sees cases to hand over. */
  inactive?: boolean;
}

export type Light = 'green' | 'yellow' | 'red';
/** Blue rather than green, as the lights elsewhere (styles.css); the word is in the label and the table. */
const LIGHT_COLOURS: Record<Light, string> = { green: '#1f5f99', yellow: '#d69e00', red: '#b42318' };
export const LIGHT_WORDS: Record<Light, string> = { green: 'grøn', yellow: 'gul', red: 'rød' };

export function lightOf(value: number, light: { green: number; yellow: number }): Light {
  return value <= light.green ? 'green' : value <= light.yellow ? 'yellow' : 'red';
}

export function BarPerCaseworker({
  bars,
  title,
  thresholds = [],
  light,
  selected,
  onSelect,
}: {
  bars: Bar[];
  title: string;
  thresholds?: { value: number; label: string }[];
  /** Colour each bar by its light (green ≤ green, yellow ≤ yellow, red above). */
  light?: { green: number; yellow: number };
  /** The bar of the active drill-down, drawn in the highlight colour. */
  selected?: string;
  /** A click on a bar (drill-down); keyboard users reach the same through the table view. */
  onSelect?: (key: string) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useChart(
    ref,
    (chart) => {
      const sorted = [...bars].sort((a, b) => a.value - b.value || b.label.localeCompare(a.label, 'da'));
      chart.setOption({
        animation: false,
        grid: { left: 8, right: 40, top: thresholds.length ? 24 : 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => formatNumber(v) },
        xAxis: {
          type: 'value',
          minInterval: 1,
          // Every reference line in view, also when all bars are below it.
          max: thresholds.length ? (e: { max: number }) => Math.max(e.max, ...thresholds.map((t) => t.value * 1.05)) : undefined,
          axisLabel: { formatter: (v: number) => formatNumber(v) },
        },
        yAxis: {
          type: 'category',
          data: sorted.map((b) => (b.inactive ? `${b.label} (fratrådt)` : b.label)),
          axisLabel: { color: '#1f2933' },
        },
        series: [
          {
            type: 'bar',
            data: sorted.map((b) => ({
              value: b.value,
              itemStyle: light
                ? {
                    color: b.inactive ? '#7b8794' : LIGHT_COLOURS[lightOf(b.value, light)],
                    // The drill-down's bar keeps its light and gets an outline.
                    ...(b.key === selected ? { borderColor: '#1f2933', borderWidth: 3 } : {}),
                  }
                : { color: b.key === selected ? '#b45309' : b.inactive ? '#7b8794' : '#1f5f99' },
            })),
            cursor: onSelect ? 'pointer' : 'default',
            label: { show: true, position: 'right', formatter: (p: { value: number }) => formatNumber(p.value), color: '#1f2933' },
            markLine: thresholds.length
              ? {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: '#b42318', type: 'dashed' },
                  label: { formatter: (p: { name: string }) => p.name },
                  data: thresholds.map((t) => ({ xAxis: t.value, name: t.label })),
                }
              : undefined,
          },
        ],
      });
      if (onSelect) chart.on('click', (p) => onSelect(sorted[p.dataIndex].key));
    },
    [bars, thresholds, light, selected],
    'EN',
  );
  const height = Math.max(160, bars.length * 28 + 40);
  // Read top to bottom as drawn: highest first.
  const spoken = [...bars].sort((a, b) => b.value - a.value || a.label.localeCompare(b.label, 'da'));
  return (
    <div
      ref={ref}
      className="chart"
      style={{ height }}
      role="img"
      aria-label={`${title}: ${spoken
        .map((b) => `${b.label} ${formatNumber(b.value)}${light ? ` (${LIGHT_WORDS[lightOf(b.value, light)]})` : ''}`)
        .join(', ')}`}
    />
  );
}
