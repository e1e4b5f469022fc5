import type { DashboardDefinition } from './types';

export const teamleder: DashboardDefinition = {
  id: 'teamleder',
  title: 'Teamleder',
  roles: ['teamleder', 'chef', 'admin'],
  figures: [
    {
      kpi: 'caseload.open_cases',
      chart: 'bar-per-caseworker',
      title: 'Sager pr. rådgiver',
      description: 'Børn med åben sag, hvor rådgiveren er sagsansvarlig på opgørelsesdatoen.',
    },
  ],
};
