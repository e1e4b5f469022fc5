import { dashboard } from './types';

// The committee's one-screen overview: budget per account function as traffic lights, and the
// activity of the last four years. Aggregates only; counts under 5 show as "<5".
export const udvalg = dashboard({
  id: 'udvalg',
  title: 'Udvalg',
  roles: ['udvalg', 'chef', 'admin'],
  figures: [
    {
      kpi: 'budget.function',
      chart: 'budget-table',
      description:
        'Korrigeret budget, forbrug til dato og forventet regnskab. Grøn: inden for budget · gul: hold øje · rød: forventet overskridelse.',
    },
    {
      kpi: 'budget.spend_curve',
      chart: 'spend-curve',
      title: 'Forbrug år til dato mod budget', // the budget and the forecast are drawn too
      description:
        'Samlet forbrug på børne- og ungeområdet måned for måned (mio. kr.). I år: fuldt optrukket; sidste år: stiplet; forventet forbrug til december: prikket; korrigeret budget: sort streg.',
    },
    {
      kpi: 'goal.status',
      chart: 'goals',
      description: 'Målene fra børne- og ungepolitikken med udviklingen de seneste år.',
    },
    {
      kpi: 'benchmark.activity.placed_children_per_1000',
      chart: 'benchmark',
      title: 'Anbragte børn pr. 1.000 børn', // shorter
      description: 'Danmarks Statistik, seneste år med tal for kommunen. Egen kommune fremhævet; streg = median, felt = midterste halvdel.',
    },
    {
      kpi: 'benchmark.cost.net_spend_per_child',
      chart: 'benchmark',
      title: 'Udgift pr. barn (kr.)', // plainer
      description: 'Danmarks Statistik: nettodriftsudgifter til udsatte børn og unge pr. 0-17-årig, seneste år med tal for kommunen.',
    },
    {
      kpi: 'cost.preventive_share',
      chart: 'share',
      description:
        'Forbrug til dato på forebyggende foranstaltninger (5.28.21) af forbruget på 5.28.20-5.28.25, til og med seneste afsluttede måned.',
    },
    {
      kpi: 'activity.children_with_open_case_per_1000',
      chart: 'number',
      description: 'Børn med en åben sag på opgørelsesdatoen pr. 1.000 0-17-årige (egne sagsdata).',
    },
    {
      kpi: 'activity.summary',
      chart: 'year-table',
      description: 'Antal for hele året; indeværende år til opgørelsesdatoen.',
    },
  ],
});
