import { useEffect, type DependencyList, type RefObject } from 'react';
import type { ECharts } from './echarts';

let charts: Promise<typeof import('./echarts')> | null = null;
/** ECharts, loaded on the first chart drawn (a chunk apart from the main bundle, ADR 0080). */
const loadCharts = () => (charts ??= import('./echarts'));

/**
 * Draws a chart into `ref`'s element with `draw` (null: nothing to draw) whenever `deps` change:
 * an SVG ECharts instance made once ECharts has loaded, resized with the window, disposed when the
 * component goes or draws again.
 */
export function useChart(
  ref: RefObject<HTMLDivElement | null>,
  draw: ((chart: ECharts) => void) | null,
  deps: DependencyList,
  locale?: string,
): void {
  useEffect(() => {
    const element = ref.current;
    if (!element || !draw) return;
    let chart: ECharts | null = null;
    let gone = false;
    const resize = () => chart?.resize();
    void loadCharts().then(({ echarts }) => {
      if (gone) return;
      chart = echarts.init(element, undefined, { renderer: 'svg', locale });
      draw(chart);
      window.addEventListener('resize', resize);
    });
    return () => {
      gone = true;
      window.removeEventListener('resize', resize);
      chart?.dispose();
    };
  }, deps);
}
