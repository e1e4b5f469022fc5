import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';

// Every part of ECharts the dashboard draws with, registered once. Only useChart imports this
// module, and only dynamically: ECharts is a chunk of its own, fetched and parsed while the first
// screen's figures are asked for rather than before (ADR 0080).
echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  SVGRenderer,
  LegacyGridContainLabel,
]);

export { echarts };
export type { ECharts } from 'echarts/core';
