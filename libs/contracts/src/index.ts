// API types shared by the API and the dashboard. The KPI catalogue (KPIS.md) defines the values.
export * from './core';
export * from './requests';
export * from './responses';
export * from './format';
export * from './budget';
export * from './imported-by';
export * from './units';
export * from './free-text';
export * from './reviews';
export * from './review-values';
export * from './kpi-catalogue';
