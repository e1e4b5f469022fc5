import { formatNumber } from './format';
import { KPI_CATALOGUE } from './kpi-catalogue';

// What a figure's number is in, on screen and in the committee's PDF (issue 17, ADR 66): amounts say kr. (per child or case in
// whole kroner), and a benchmark's rank says which end is 1.

type CatalogueId = keyof typeof KPI_CATALOGUE;
const entry = (kpi: string) => (KPI_CATALOGUE as Record<string, (typeof KPI_CATALOGUE)[CatalogueId]>)[kpi];

/** A KPI's unit in the catalogue ('count' for an id it does not know). */
export const unitOf = (kpi: string): string => entry(kpi)?.unit ?? 'count';

/** Benchmarks in kroner: the catalogue calls the published spend per child a ratio (of two sums). */
const KRONER_BENCHMARKS = new Set(['benchmark.cost.net_spend_per_child']);

/** Whether the KPI's single number is an amount in kroner. */
export const isKroner = (kpi: string): boolean => KRONER_BENCHMARKS.has(kpi) || entry(kpi)?.unit === 'kr';

/** Kroner per child or case: whole kroner with the unit, 821.917 kr. */
export const formatKroner = (kr: number): string => `${formatNumber(Math.round(kr))} kr.`;

/** A KPI's single number as shown: kroner with their unit, anything else as a Danish number. */
export const formatAmount = (kpi: string, n: number): string => (isKroner(kpi) ? formatKroner(n) : formatNumber(n));

/** What rank 1 is for each benchmark (the API ranks the highest value 1, libs/kpi benchmark). */
const RANK_ONE: Record<string, string> = {
  'benchmark.activity.placed_children_per_1000': 'flest anbragte',
  'benchmark.activity.notifications_per_1000': 'flest underretninger',
  'benchmark.activity.preventive_children_per_1000': 'flest børn med forebyggende indsats',
  'benchmark.cost.net_spend_per_child': 'den højeste udgift pr. barn',
};

/** "nr. 32 af 98, hvor 1 er flest anbragte", and which end is better where the catalogue says so. */
export function rankText(kpi: string, rank: number | null, count: number): string {
  const better = entry(kpi)?.higherIsBetter;
  const judged = better === true ? ' (højest er bedst)' : better === false ? ' (lavest er bedst)' : '';
  return `nr. ${rank ?? '–'} af ${formatNumber(count)}, hvor 1 er ${RANK_ONE[kpi] ?? 'den højeste værdi'}${judged}`;
}

/** What each benchmark counts: in the published statistics, and in the own case data beside it. */
const COUNTED: Record<string, { published: string; live?: string }> = {
  'benchmark.activity.placed_children_per_1000': {
    published: 'anbragte børn og unge i året',
    live: 'børn med en aktiv anbringelse på opgørelsesdatoen',
  },
  'benchmark.activity.notifications_per_1000': { published: 'underretninger i året', live: 'underretninger modtaget i perioden' },
  'benchmark.activity.preventive_children_per_1000': {
    published: 'børn og unge med forebyggende foranstaltninger i året',
    live: 'børn med en aktiv forebyggende indsats på opgørelsesdatoen',
  },
  'benchmark.cost.net_spend_per_child': { published: 'nettodriftsudgifter til udsatte børn og unge i året' },
};

/** '0-22 år' → '0-22-årige'. */
const bandWord = (band: string): string => band.replace(/ år$/, '-årige');

/**
 * One sentence for the published figure and one for the own live figure beside it, each with the
 * population band it is divided by (ADR 67: like with like), e.g. "Danmarks Statistik 2023: anbragte
 * børn og unge i året pr. 1.000 0-22-årige."
 */
export function benchmarkSentences(
  kpi: string,
  b: { year: number | null; band: string; liveBand: string | null; ownLive: number | null },
): { published: string; live: string | null } {
  const counted = COUNTED[kpi] ?? { published: entry(kpi)?.title ?? kpi };
  const per = isKroner(kpi) ? `i kr. pr. ${bandWord(b.band).replace(/e$/, '')}` : `pr. 1.000 ${bandWord(b.band)}`;
  const published = `Danmarks Statistik ${b.year ?? '(intet år)'}: ${counted.published} ${per}.`;
  const live =
    b.ownLive !== null && b.liveBand && counted.live ? `Egne sagsdata: ${counted.live} pr. 1.000 ${bandWord(b.liveBand)}.` : null;
  return { published, live };
}
