import { dashboard, type ListColumn } from './types';

const caseColumns: ListColumn[] = [
  { key: 'case', label: 'Sag' },
  { key: 'worker', label: 'Rådgiver', format: 'worker' },
  { key: 'due', label: 'Frist', format: 'date' },
  { key: 'daysOverdue', label: 'Dage over', format: 'days' },
];
/** Soon-due lists: days until the deadline instead of days over it. */
const soonColumns: ListColumn[] = [...caseColumns.slice(0, 3), { key: 'daysOverdue', label: 'Dage til frist', format: 'days-left' }];

// The team leader's morning view: caseload against the norm, the handover list, and the
// deadlines checked in supervision as work lists sorted by days overdue.
export const teamleder = dashboard({
  id: 'teamleder',
  title: 'Teamleder',
  roles: ['teamleder', 'chef', 'admin'],
  figures: [
    {
      kpi: 'caseload.open_cases',
      chart: 'bar-per-caseworker',
      description: 'Børn med åben sag, hvor rådgiveren er sagsansvarlig på opgørelsesdatoen.',
    },
    {
      kpi: 'caseload.vs_norm',
      chart: 'bar-per-caseworker',
      description:
        'Åbne sager i forhold til kommunens norm pr. sagsområde (som standard 40 på udsatteområdet, 55 på handicapområdet). 1,0 = normen.',
      // The default caseload.light (libs/kpi/src/settings.ts); the answer's `lights` carry the
      // municipality's own limits, which colour the bars and place the lines (FigureCard).
      light: { green: 1, yellow: 1.15 },
    },
    {
      kpi: 'caseload.weighted',
      chart: 'bar-per-caseworker',
      title: 'Vægtet sagsbelastning', // shorter
      description: 'Anbringelse 1,5 · åben undersøgelse 1,2 · forebyggende indsats 1,0 · ellers 0,5.',
    },
    {
      kpi: 'caseload.unassigned',
      chart: 'work-list',
      arrow: true,
      title: 'Sager til overdragelse', // task
      description: 'Åbne sager uden rådgiver, eller hvor rådgiveren er fratrådt. Omfordeling sker i fagsystemet.',
      columns: [
        { key: 'case', label: 'Sag' },
        { key: 'lastWorker', label: 'Seneste rådgiver', format: 'worker' },
        { key: 'reason', label: 'Årsag' },
        { key: 'since', label: 'Siden', format: 'date' },
        { key: 'days', label: 'Dage', format: 'days' },
      ],
    },
    { kpi: 'deadline.notification_24h', chart: 'share', target: 0.95 },
    {
      kpi: 'deadline.notification_overdue',
      chart: 'work-list',
      arrow: true,
      title: 'Underretninger, der mangler vurdering', // task
      columns: [
        { key: 'notification', label: 'Underretning' },
        { key: 'case', label: 'Sag' },
        { key: 'worker', label: 'Rådgiver', format: 'worker' },
        { key: 'received', label: 'Modtaget', format: 'datetime' },
        { key: 'daysOverdue', label: 'Dage over', format: 'days' },
      ],
    },
    {
      kpi: 'deadline.notification_due_soon',
      chart: 'work-list',
      arrow: true,
      title: 'Underretninger, der skal vurderes inden for 24 timer', // task
      description: 'Modtaget inden for det sidste døgn og endnu ikke vurderet.',
      columns: [
        { key: 'notification', label: 'Underretning' },
        { key: 'case', label: 'Sag' },
        { key: 'worker', label: 'Rådgiver', format: 'worker' },
        { key: 'received', label: 'Modtaget', format: 'datetime' },
        { key: 'due', label: 'Frist', format: 'datetime' },
      ],
    },
    { kpi: 'deadline.investigation_4m', chart: 'share', title: 'Undersøgelser afsluttet inden for 4 måneder', target: 0.9 }, // shorter
    {
      kpi: 'deadline.investigation_overdue',
      chart: 'work-list',
      columns: [{ key: 'investigation', label: 'Undersøgelse' }, ...caseColumns],
      secondary: {
        key: 'dueSoon',
        title: 'Frist inden for 14 dage',
        columns: [{ key: 'investigation', label: 'Undersøgelse' }, ...soonColumns],
      },
    },
    {
      kpi: 'deadline.followup_overdue',
      chart: 'work-list',
      arrow: true,
      columns: [{ key: 'measureType', label: 'Indsats' }, ...caseColumns],
    },
    {
      kpi: 'deadline.followup_due_soon',
      chart: 'work-list',
      arrow: true,
      columns: [{ key: 'measureType', label: 'Indsats' }, ...soonColumns],
    },
    {
      kpi: 'deadline.supervision_overdue',
      chart: 'work-list',
      arrow: true,
      title: 'Tilsynsbesøg over fristen', // shorter
      columns: [{ key: 'measureType', label: 'Anbringelse' }, ...caseColumns],
    },
    {
      kpi: 'deadline.supervision_due_soon',
      chart: 'work-list',
      arrow: true,
      columns: [{ key: 'measureType', label: 'Anbringelse' }, ...soonColumns],
    },
    { kpi: 'deadline.plan_on_time', chart: 'share', target: 0.9 },
    { kpi: 'deadline.child_conversation', chart: 'share', target: 0.9 },
    { kpi: 'investigation.duration_days', chart: 'number', title: 'Undersøgelsernes varighed (median, dage)' }, // wording
    { kpi: 'supervision.two_visits_share', chart: 'share', target: 1 },
    { kpi: 'supervision.talked_alone_share', chart: 'share' },
    {
      kpi: 'continuity.caseworker_changes',
      chart: 'changes',
      description:
        'Børn med en sag, der er åben nu og har været åben i mindst 12 måneder: skift af ansvarlig rådgiver de seneste 12 måneder (fra ingen til en rådgiver tæller; fra en rådgiver til ingen tæller ikke).',
    },
  ],
});
