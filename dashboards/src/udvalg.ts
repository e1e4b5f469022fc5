import type { DashboardDefinition } from './types';

// Figures arrive with the KPI/API issue; aggregates only, small cells suppressed.
export const udvalg: DashboardDefinition = {
  id: 'udvalg',
  title: 'Udvalg',
  roles: ['udvalg', 'chef', 'admin'],
  figures: [],
};
