import { formatShare } from '../format';

// What the effect chart and the caseworker-changes chart share: bars 100 % wide, each in three
// parts, drawn in the same three colours so the two read alike.

/** Blue / grey / orange: told apart with the common colour-vision deficiencies; white text on the blue and the orange meets 4.5:1. */
export const PART_COLOURS = [
  { color: '#1f5f99', text: '#ffffff' },
  { color: '#cbd2d9', text: '#1f2933' },
  { color: '#c2410c', text: '#ffffff' },
] as const;

/** The axis of a share from 0 to 100 %, in quarters. */
export const SHARE_AXIS = {
  type: 'value',
  min: 0,
  max: 1,
  interval: 0.25,
  axisLabel: { formatter: (v: number) => formatShare(v), color: '#1f2933' },
} as const;

/** One stacked bar series per part; a segment carries its % as text when it has room for it. */
export function stackedShareSeries<K extends string>(
  parts: readonly { key: K; label: string; color: string; text: string }[],
  options: { stack: string; barMaxWidth: number; data: (key: K) => number[] },
) {
  return parts.map((part) => ({
    name: part.label,
    type: 'bar' as const,
    stack: options.stack,
    barMaxWidth: options.barMaxWidth,
    itemStyle: { color: part.color },
    label: { show: true, color: part.text, formatter: (p: { value: number }) => (p.value >= 0.1 ? formatShare(p.value) : '') },
    data: options.data(part.key),
  }));
}
