// Demo economy (oekonomi.csv) and public statistics (befolkning.csv, noegletal.csv) resembling
// Danish figures: about 11 notifications per 100 children a year (4-24 across municipalities),
// about 0.9 % of 0-22-year-olds placed.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { municipalities } from '@bu/domain';
import { Random } from './prng';

const FUNCTIONS: [string, string, number][] = [
  ['5.28.20', 'Opholdssteder mv. for børn og unge', 0.22],
  ['5.28.21', 'Forebyggende foranstaltninger for børn og unge', 0.3],
  ['5.28.22', 'Plejefamilier', 0.25],
  ['5.28.23', 'Døgninstitutioner for børn og unge', 0.14],
  ['5.28.24', 'Sikrede døgninstitutioner for børn og unge', 0.02],
  ['5.28.25', 'Særlige dagtilbud og særlige klubber', 0.04],
  ['5.57.72', 'Sociale formål', 0.03],
];

const money = (n: number): string => {
  const [whole, dec] = n.toFixed(2).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${dec}`;
};

/** Children aged 0-17 per municipality: a stable pseudo-size (the real largest are København, Aarhus, Odense, Aalborg). */
export function demoPopulation(code: number): number {
  const big: Record<number, number> = { 101: 105_000, 751: 68_000, 461: 40_000, 851: 42_000, 147: 18_000, 320: 7_000, 479: 9_000 };
  return big[code] ?? 3_000 + ((code * 7919) % 97) * 230;
}

export function generateEconomy(dir: string, opts: { municipalities: number[]; exportDate: string; seed: number }): void {
  const rnd = new Random(opts.seed);
  const year = Number(opts.exportDate.slice(0, 4));
  const lastMonth = Number(opts.exportDate.slice(5, 7));
  const lines = ['Kommunenr;År;Måned;Funktion;Funktionsnavn;Oprindeligt budget;Korrigeret budget;Forbrug'];
  for (const code of opts.municipalities) {
    const total = demoPopulation(code) * 9_500; // kr. a year per child aged 0-17 in the area
    for (const y of [year - 2, year - 1, year]) {
      for (const [fn, name, share] of FUNCTIONS) {
        const original = Math.round((total * share * (1 + (y - year) * 0.03)) / 1000) * 1000;
        // Some lines overrun: the activity drifts above budget; a supplementary appropriation mid-year.
        const drift = 0.9 + rnd.next() * 0.25;
        const supplement = rnd.chance(0.3) ? Math.round((original * 0.05) / 1000) * 1000 : 0;
        const months = y === year ? lastMonth : 12;
        for (let m = 1; m <= months; m++) {
          const corrected = original + (m >= 6 ? supplement : 0);
          const spend = (original / 12) * drift * (0.85 + rnd.next() * 0.3);
          lines.push([code, y, m, fn, name, money(original), money(corrected), money(spend)].join(';'));
        }
      }
    }
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oekonomi.csv'), '\uFEFF' + lines.join('\r\n') + '\r\n');
}

const DEMO_RATES: Record<number, { notifications: number; placed: number; preventive: number }> = {
  320: { notifications: 0.105, placed: 0.0105, preventive: 0.05 },
  479: { notifications: 0.11, placed: 0.0095, preventive: 0.05 },
};

export function generateStatistics(dir: string, opts: { lastYear: number; years: number; seed: number }): void {
  const rnd = new Random(opts.seed);
  const population = ['OMRÅDE;ALDER;TID;INDHOLD'];
  const figures = ['OMRÅDE;NØGLETAL;TID;INDHOLD'];
  const national = new Map<string, number>();
  const add = (key: string, n: number) => national.set(key, (national.get(key) ?? 0) + n);
  for (const m of municipalities()) {
    const base = demoPopulation(m.code);
    // The demo municipalities get the rates their case data shows, so the published figure and the
    // live one tell the same story; the others spread as Danish municipalities do.
    const demo = DEMO_RATES[m.code];
    const notificationRate = demo?.notifications ?? 0.04 + rnd.next() * 0.2; // 4-24 per 100 children
    const placedRate = demo?.placed ?? 0.005 + rnd.next() * 0.008;
    const preventiveRate = demo?.preventive ?? 0.012 + rnd.next() * 0.012;
    const name = rnd.chance(0.5) ? `${m.name} Kommune` : m.name;
    for (let y = opts.lastYear - opts.years + 1; y <= opts.lastYear; y++) {
      // The number of children falls slowly while cases do not.
      const children = Math.round(base * (1 - (y - opts.lastYear) * 0.005));
      const young = Math.round(children * 1.28);
      const notifications = Math.round(children * notificationRate * (1 + (y - opts.lastYear) * -0.02));
      const placed = Math.round(young * placedRate);
      const preventive = Math.round(children * preventiveRate);
      // Spend follows placements, which cost most (about 14,000 kr. per child nationally), with a
      // spread of its own per municipality (not drawn from rnd, so the other figures stay as they were).
      const perChild = 4 + (young / children) * placedRate * 1000 * 0.85 + (((m.code * 37) % 31) / 10 - 1.5);
      const cost = Math.round(children * perChild * (1 + (y - opts.lastYear) * 0.03));
      population.push(`${name};0-17 år;${y};${children}`, `${name};0-22 år;${y};${young}`);
      // A municipality that did not report one year: '..', never 0.
      const missing = m.code === 787 && y === opts.lastYear;
      figures.push(
        `${name};Underretninger;${y};${missing ? '..' : notifications}`,
        `${name};Anbragte børn og unge;${y};${placed}`,
        `${name};Børn og unge med forebyggende foranstaltninger;${y};${preventive}`,
        `${name};Nettodriftsudgifter udsatte børn og unge (1.000 kr.);${y};${cost}`,
      );
      add(`0-17 år;${y}`, children);
      add(`0-22 år;${y}`, young);
    }
  }
  for (const [key, n] of national) population.push(`Hele landet;${key};${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'befolkning.csv'), population.join('\n') + '\n');
  writeFileSync(join(dir, 'noegletal.csv'), figures.join('\n') + '\n');
}
