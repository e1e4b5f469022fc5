import { dashboard } from './types';

// The chief's overview in sections (issue 17): a summary strip of six headline figures with the
// change from the same date last year, then activity, economy, effect, deadlines and the comparison
// with other municipalities. Single numbers are compact cards; charts and tables get room.
export const chef = dashboard({
  id: 'chef',
  title: 'Chef',
  roles: ['chef', 'admin'],
  sections: [
    { id: 'overblik', title: 'Overblik' },
    { id: 'aktivitet', title: 'Aktivitet' },
    { id: 'okonomi', title: 'Økonomi' },
    { id: 'effekt', title: 'Effekt' },
    { id: 'frister', title: 'Frister' },
    { id: 'sammenligning', title: 'Sammenligning' },
  ],
  summary: [
    { kpi: 'activity.children_with_open_case' },
    { kpi: 'activity.notifications', title: 'Underretninger i perioden' },
    { kpi: 'activity.placed_children' },
    { kpi: 'activity.family_care_share', title: 'Anbragte i familiepleje' },
    { kpi: 'cost.annualised_per_placed_child', title: 'Årlig udgift pr. anbragt barn' },
    { kpi: 'deadline.investigation_4m', title: 'Undersøgelser inden for 4 måneder' },
  ],
  figures: [
    // Section: overblik
    { kpi: 'activity.children_with_open_case', section: 'overblik', chart: 'number' },
    { kpi: 'flow.cases_opened', section: 'overblik', chart: 'number', description: 'Sager (ikke børn) oprettet i perioden.' },
    { kpi: 'flow.cases_closed', section: 'overblik', chart: 'number', description: 'Sager (ikke børn) lukket i perioden.' },
    {
      kpi: 'activity.children_with_open_case_per_1000',
      section: 'overblik',
      chart: 'trend',
      series: 'year',
      description:
        'Egne sagsdata: børn med en åben sag på opgørelsesdatoen pr. 1.000 0-17-årige, og ved udgangen af hvert af de seneste år.',
    },
    // Section: aktivitet
    { kpi: 'activity.notifications', section: 'aktivitet', chart: 'number', description: 'Underretninger modtaget i perioden.' },
    {
      kpi: 'activity.children_notified',
      section: 'aktivitet',
      chart: 'number',
      description: 'Forskellige børn med en underretning modtaget i perioden.',
    },
    { kpi: 'activity.repeat_notification_share', section: 'aktivitet', chart: 'share', title: 'Børn med gentagne underretninger' }, // shorter
    { kpi: 'activity.investigations_started', section: 'aktivitet', chart: 'number', description: 'Startet i perioden.' },
    { kpi: 'activity.investigations_completed', section: 'aktivitet', chart: 'number', description: 'Afsluttet i perioden.' },
    {
      kpi: 'early.age_at_investigation_start',
      section: 'aktivitet',
      chart: 'number',
      description: 'Børnefaglige undersøgelser startet i perioden: barnets alder ved start (median, år).',
    },
    { kpi: 'activity.placements_started', section: 'aktivitet', chart: 'number', description: 'Anbringelsesindsatser startet i perioden.' },
    { kpi: 'activity.placements_ended', section: 'aktivitet', chart: 'number', description: 'Anbringelsesindsatser afsluttet i perioden.' },
    { kpi: 'activity.family_care_share', section: 'aktivitet', chart: 'share', title: 'Anbragte i familiepleje', target: 0.65 }, // shorter
    {
      kpi: 'activity.notifications_per_1000',
      section: 'aktivitet',
      chart: 'trend',
      series: 'year',
      description: 'Egne sagsdata: perioden, og hvert af de seneste år (indeværende år til opgørelsesdatoen).',
    },
    {
      kpi: 'activity.placed_children_per_1000',
      section: 'aktivitet',
      chart: 'trend',
      series: 'year',
      description: 'Egne sagsdata: på opgørelsesdatoen, og ved udgangen af hvert af de seneste år.',
    },
    {
      kpi: 'activity.preventive_children_per_1000',
      section: 'aktivitet',
      chart: 'trend',
      series: 'year',
      description: 'Egne sagsdata: på opgørelsesdatoen, og ved udgangen af hvert af de seneste år.',
    },
    {
      kpi: 'activity.notifications_by_source',
      section: 'aktivitet',
      chart: 'bar-per-key',
      description: 'Underretninger modtaget i perioden.',
    },
    {
      kpi: 'activity.placed_children_by_type',
      section: 'aktivitet',
      chart: 'bar-per-key',
      description: 'Børn med en aktiv anbringelse på opgørelsesdatoen.',
    },
    {
      kpi: 'duration.measure_days',
      section: 'aktivitet',
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
    { kpi: 'duration.active_measure_age_days', section: 'aktivitet', chart: 'bar-per-key' },
    // Section: okonomi
    { kpi: 'cost.annualised_per_placed_child', section: 'okonomi', chart: 'number' },
    {
      kpi: 'cost.preventive_share',
      section: 'okonomi',
      chart: 'share',
      description:
        'Forbrug til dato på 5.28.21 (forebyggende foranstaltninger) af forbruget på 5.28.20-5.28.25, til og med seneste afsluttede måned.',
    },
    {
      kpi: 'cost.top_cases',
      section: 'okonomi',
      chart: 'work-list',
      arrow: true,
      description: 'Årlig udgift til indsatser, der er aktive på opgørelsesdatoen.',
      columns: [
        { key: 'case', label: 'Sag' },
        { key: 'measureTypes', label: 'Indsatser' },
        { key: 'annualisedCost', label: 'Kr. pr. år', format: 'days' },
      ],
    },
    // Section: effekt
    {
      kpi: 'placement.replacement_12m',
      section: 'effekt',
      chart: 'share',
      description:
        'Børn, hvis anbringelse sluttede for 12-24 måneder siden uden ny anbringelse dagen efter: andelen, der blev anbragt igen inden for 12 måneder.',
    },
    { kpi: 'complaints.reversal_rate', section: 'effekt', chart: 'share' },
    {
      kpi: 'complaints.handling_days',
      section: 'effekt',
      chart: 'number',
      description: 'Klager afgjort i perioden: dage fra modtaget til afgjort (median).',
    },
    {
      kpi: 'effect.change',
      section: 'effekt',
      chart: 'effect',
      description:
        'Børn med effektmålinger på mindst to datoer: ændring i gennemsnitlig score (1-5 på fem temaer) fra første til seneste måling, pr. indsats aktiv ved seneste måling. Et barn tæller under hver af sine indsatser.',
    },
    {
      kpi: 'continuity.caseworker_changes',
      section: 'effekt',
      chart: 'changes',
      description:
        'Børn med en sag, der er åben nu og har været åben i mindst 12 måneder: skift af ansvarlig rådgiver de seneste 12 måneder (fra ingen til en rådgiver tæller; fra en rådgiver til ingen tæller ikke).',
    },
    { kpi: 'complaints.decided', section: 'effekt', chart: 'bar-per-key' },
    // Section: frister
    {
      kpi: 'deadline.investigation_4m',
      section: 'frister',
      chart: 'share',
      title: 'Undersøgelser afsluttet inden for 4 måneder', // shorter
      description: 'Børnefaglige undersøgelser afsluttet i perioden.',
    },
    {
      kpi: 'deadline.notification_24h',
      section: 'frister',
      chart: 'share',
      title: 'Underretninger vurderet inden for 24 timer', // shorter
      description: 'Underretninger modtaget i perioden.',
    },
    {
      kpi: 'supervision.two_visits_share',
      section: 'frister',
      chart: 'share',
      description: 'Børn anbragt i mindst 12 måneder: andelen med mindst to tilsynsbesøg de seneste 12 måneder (loven kræver to om året).',
    },
    {
      kpi: 'supervision.talked_alone_share',
      section: 'frister',
      chart: 'share',
      description: 'Tilsynsbesøg i perioden: andelen, hvor rådgiveren talte alene med barnet.',
    },
    {
      kpi: 'decision.days_to_start',
      section: 'frister',
      chart: 'number',
      description:
        'Indsatser startet i perioden: dage fra bevilling til start (median). Økonomiske ydelser og ukendte indsatser indgår ikke.',
    },
    {
      kpi: 'deadline.compliance_by_team',
      section: 'frister',
      chart: 'share-table',
      description: 'Andel inden for fristen i perioden. – betyder ingen sager i perioden.',
      columns: [
        { key: 'notification_24h', label: 'Underretning 24 t' },
        { key: 'investigation_4m', label: 'Undersøgelse 4 mdr.' },
        { key: 'plan_on_time', label: 'Handleplan' },
        { key: 'child_conversation', label: 'Børnesamtale' },
      ],
    },
    // Section: sammenligning
    {
      kpi: 'benchmark.activity.notifications_per_1000',
      section: 'sammenligning',
      chart: 'benchmark',
      title: 'Underretninger pr. 1.000 børn', // shorter
      description: 'Danmarks Statistik, seneste år med tal for kommunen. Egen kommune fremhævet; streg = median, felt = midterste halvdel.',
    },
    {
      kpi: 'benchmark.activity.placed_children_per_1000',
      section: 'sammenligning',
      chart: 'benchmark',
      title: 'Anbragte børn pr. 1.000 børn', // shorter
      description: 'Danmarks Statistik, seneste år med tal for kommunen.',
    },
    {
      kpi: 'benchmark.activity.preventive_children_per_1000',
      section: 'sammenligning',
      chart: 'benchmark',
      title: 'Børn med forebyggende indsats pr. 1.000 børn', // shorter
      description: 'Danmarks Statistik, seneste år med tal for kommunen.',
    },
    {
      kpi: 'benchmark.cost.net_spend_per_child',
      section: 'sammenligning',
      chart: 'benchmark',
      title: 'Nettodriftsudgifter pr. barn (kr.)', // shorter
      description: 'Danmarks Statistik: udsatte børn og unge, pr. 0-17-årig, seneste år med tal for kommunen.',
    },
  ],
});
