// Generated placeholder
export type { KpiShape, KpiUnit } from './kpi-shape';
