import { dashboard } from './types';

// The chief's overview: activity per 1,000 children, placements and family care, cost, effect,
// complaints. Benchmarks compare with all municipalities or a comparison group the chief chooses.
export const chef = dashboard({
  id: 'chef',
  title: 'Chef',
  roles: ['chef', 'admin'],
  figures: [
    {
      kpi: 'benchmark.activity.notifications_per_1000',
      chart: 'benchmark',
      title: 'Underretninger pr. 1.000 børn', // shorter
      description: 'Danmarks Statistik, seneste år med tal for kommunen. Egen kommune fremhævet; streg = median, felt = midterste halvdel.',
    },
    {
      kpi: 'benchmark.activity.placed_children_per_1000',
      chart: 'benchmark',
      title: 'Anbragte børn pr. 1.000 børn', // shorter
      description: 'Danmarks Statistik, seneste år med tal for kommunen.',
    },
    {
      kpi: 'benchmark.cost.net_spend_per_child',
      chart: 'benchmark',
      title: 'Nettodriftsudgifter pr. barn (kr.)', // shorter
      description: 'Danmarks Statistik: udsatte børn og unge, pr. 0-17-årig, seneste år med tal for kommunen.',
    },
    {
      kpi: 'activity.notifications_per_1000',
      chart: 'trend',
      series: 'year',
      description: 'Egne sagsdata: perioden, og hvert af de seneste år (indeværende år til opgørelsesdatoen).',
    },
    {
      kpi: 'activity.placed_children_per_1000',
      chart: 'trend',
      series: 'year',
      description: 'Egne sagsdata: på opgørelsesdatoen, og ved udgangen af hvert af de seneste år.',
    },
    {
      kpi: 'activity.preventive_children_per_1000',
      chart: 'trend',
      series: 'year',
      description: 'Egne sagsdata: på opgørelsesdatoen, og ved udgangen af hvert af de seneste år.',
    },
    {
      kpi: 'activity.children_with_open_case_per_1000',
      chart: 'trend',
      series: 'year',
      description:
        'Egne sagsdata: børn med en åben sag på opgørelsesdatoen pr. 1.000 0-17-årige, og ved udgangen af hvert af de seneste år.',
    },
    { kpi: 'activity.children_with_open_case', chart: 'number' },
    { kpi: 'flow.cases_opened', chart: 'number', description: 'Sager (ikke børn) oprettet i perioden.' },
    { kpi: 'flow.cases_closed', chart: 'number', description: 'Sager (ikke børn) lukket i perioden.' },
    { kpi: 'activity.family_care_share', chart: 'share', title: 'Anbragte i familiepleje', target: 0.65 }, // shorter
    {
      kpi: 'placement.replacement_12m',
      chart: 'share',
      description:
        'Børn, hvis anbringelse sluttede for 12-24 måneder siden uden ny anbringelse dagen efter: andelen, der blev anbragt igen inden for 12 måneder.',
    },
    {
      kpi: 'early.age_at_investigation_start',
      chart: 'number',
      description: 'Børnefaglige undersøgelser startet i perioden: barnets alder ved start (median, år).',
    },
    {
      kpi: 'activity.placed_children_by_type',
      chart: 'bar-per-key',
      description: 'Børn med en aktiv anbringelse på opgørelsesdatoen.',
    },
    { kpi: 'activity.repeat_notification_share', chart: 'share', title: 'Børn med gentagne underretninger' }, // shorter
    {
      kpi: 'activity.notifications_by_source',
      chart: 'bar-per-key',
      description: 'Underretninger modtaget i perioden.',
    },
    {
      kpi: 'deadline.compliance_by_team',
      chart: 'share-table',
      description: 'Andel inden for fristen i perioden. – betyder ingen sager i perioden.',
      columns: [
        { key: 'notification_24h', label: 'Underretning 24 t' },
        { key: 'investigation_4m', label: 'Undersøgelse 4 mdr.' },
        { key: 'plan_on_time', label: 'Handleplan' },
        { key: 'child_conversation', label: 'Børnesamtale' },
      ],
    },
    { kpi: 'cost.annualised_per_placed_child', chart: 'number' },
    {
      kpi: 'cost.preventive_share',
      chart: 'share',
      description:
        'Forbrug til dato på 5.28.21 (forebyggende foranstaltninger) af forbruget på 5.28.20-5.28.25, til og med seneste afsluttede måned.',
    },
    {
      kpi: 'cost.top_cases',
      chart: 'work-list',
      arrow: true,
      description: 'Årlig udgift til indsatser, der er aktive på opgørelsesdatoen.',
      columns: [
        { key: 'case', label: 'Sag' },
        { key: 'measureTypes', label: 'Indsatser' },
        { key: 'annualisedCost', label: 'Kr. pr. år', format: 'days' },
      ],
    },
    {
      kpi: 'effect.change',
      chart: 'effect',
      description:
        'Børn med effektmålinger på mindst to datoer: ændring i gennemsnitlig score (1-5 på fem temaer) fra første til seneste måling, pr. indsats aktiv ved seneste måling. Et barn tæller under hver af sine indsatser.',
    },
    {
      kpi: 'continuity.caseworker_changes',
      chart: 'bar-per-key',
      description:
        'Børn med en sag, der er åben nu og har været åben i mindst 12 måneder: skift af ansvarlig rådgiver de seneste 12 måneder (fra ingen til en rådgiver tæller; fra en rådgiver til ingen tæller ikke).',
      columns: [
        { key: 'children', label: 'Børn', format: 'days' },
        { key: 'mean', label: 'Skift pr. barn (gennemsnit)' },
        { key: 'noChangeShare', label: 'Andel uden skift' },
        { key: 'twoOrMoreShare', label: 'Andel med 2 eller flere skift' },
      ],
    },
    { kpi: 'complaints.reversal_rate', chart: 'share' },
    {
      kpi: 'complaints.handling_days',
      chart: 'number',
      description: 'Klager afgjort i perioden: dage fra modtaget til afgjort (median).',
    },
    {
      kpi: 'decision.days_to_start',
      chart: 'number',
      description:
        'Indsatser startet i perioden: dage fra bevilling til start (median). Økonomiske ydelser og ukendte indsatser indgår ikke.',
    },
    { kpi: 'complaints.decided', chart: 'bar-per-key' },
    {
      kpi: 'duration.measure_days',
      chart: 'bar-per-key',
      field: 'median',
      title: 'Varighed af afsluttede indsatser (median, dage)', // median
      description: 'Indsatser afsluttet i perioden, fra start til slut.',
      columns: [
        { key: 'count', label: 'Antal', format: 'days' },
        { key: 'median', label: 'Median (dage)', format: 'days' },
        { key: 'mean', label: 'Gennemsnit (dage)', format: 'days' },
      ],
    },
    { kpi: 'duration.active_measure_age_days', chart: 'bar-per-key' },
  ],
});
