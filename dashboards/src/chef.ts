import type { DashboardDefinition } from './types';

// Figures arrive with the KPI/API issue; the view exists so roles and routing are in place.
export const chef: DashboardDefinition = {
  id: 'chef',
  title: 'Chef',
  roles: ['chef', 'admin'],
  figures: [],
};
