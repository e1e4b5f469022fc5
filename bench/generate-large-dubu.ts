// A large DUBU-style export for the ETL benchmark: `measures` rows in ydelser.csv, with the cases,
// caseworkers, assignments and notifications (with CPR) they reference. Streams to disk.
import { createWriteStream, mkdirSync } from 'fs';
import { join } from 'path';
import { once } from 'events';
import { Random } from '../scripts/demo/prng';

const TYPES = [
  'Familiebehandling',
  'Kontaktperson',
  'Aflastning',
  'Plejefamilie',
  'Netværkspleje',
  'Opholdssted',
  'Døgninstitution',
  'Merudgifter',
];
const BASIS: Record<string, [string, string]> = {
  Familiebehandling: ['SEL § 52, stk. 3, nr. 3', 'BL § 32'],
  Kontaktperson: ['SEL § 52, stk. 3, nr. 6', 'BL § 32'],
  Aflastning: ['SEL § 52, stk. 3, nr. 5', 'BL § 32'],
  Plejefamilie: ['SEL § 52, stk. 3, nr. 7', 'BL § 46'],
  Netværkspleje: ['SEL § 52, stk. 3, nr. 7', 'BL § 46'],
  Opholdssted: ['SEL § 52, stk. 3, nr. 7', 'BL § 46'],
  Døgninstitution: ['SEL § 58', 'BL § 47'],
  Merudgifter: ['SEL § 41', 'BL § 86'],
};

async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(header + '\n');
  let chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    chunk.push(line(i));
    if (chunk.length === 5000) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(chunk.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}

const dk = (day: number): string => {
  const d = new Date(Date.UTC(2018, 0, 1 + day));
  return `${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${d.getUTCFullYear()}`;
};

/**
 * `rejected`: every row of ydelser.csv is rejected, half by the parser (30 February) and half by
 * the set-based reference rule (a case the export does not have): the memory bound with a million
 * rejected rows. `changed`: the next night's export, the same but for one row in a hundred of every
 * file (a caseworker's name, a case's area, an assignment's end, a notification's urgency, a
 * measure's cost), none removed.
 */
export async function generateLargeDubu(
  dir: string,
  measures: number,
  options: { rejected?: boolean; changed?: boolean } = {},
): Promise<Record<string, number>> {
  mkdirSync(dir, { recursive: true });
  const rnd = new Random(42);
  const cases = Math.ceil(measures / 4);
  const notifications = Math.ceil(cases * 1.2);
  const workers = 400;
  // One row in a hundred differs in the changed export.
  const changed = (i: number) => options.changed === true && i % 100 === 50;
  const cpr = (child: number) => {
    const day = 1 + (child % 28);
    const month = 1 + (Math.floor(child / 28) % 12);
    return `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}1${child % 8}-4${String(child % 1000).padStart(3, '0')}`;
  };
  await writeLines(
    join(dir, 'medarbejdere.csv'),
    'Initialer;Navn;Team;Stilling;Ansat fra;Ansat til',
    workers,
    (i) => `W${i};${changed(i) ? 'Rådgiver' : 'Medarbejder'} ${i};Team ${i % 20};Rådgiver;01-01-2015;`,
  );
  await writeLines(
    join(dir, 'sager.csv'),
    'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    cases,
    (i) =>
      `S${i};${cpr(i)};461;${(i % 5 !== 0) !== changed(i) ? 'Udsatte' : 'Handicap'};${dk(i % 2000)};${i % 3 ? '' : dk((i % 2000) + 400)}`,
  );
  await writeLines(
    join(dir, 'sagsansvar.csv'),
    'Sagsnummer;Initialer;Fra;Til',
    cases,
    (i) => `S${i};W${i % workers};${dk(i % 2000)};${changed(i) ? dk((i % 2000) + 30) : ''}`,
  );
  await writeLines(join(dir, 'underretninger.csv'), 'Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', notifications, (i) => {
    const day = i % 2200;
    return `U${i};${cpr(i % cases)};${dk(day)} 09:${String(i % 60).padStart(2, '0')};${dk(day)} 15:00;skole;${changed(i) ? 'Ja' : 'Nej'}`;
  });
  await writeLines(
    join(dir, 'ydelser.csv'),
    'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    measures,
    (i) => {
      const type = TYPES[i % TYPES.length];
      const start = (i % 2200) + 10;
      const cost = 3000 + rnd.int(0, 90000) + (changed(i) ? 1 : 0);
      const caseId = options.rejected && i % 2 === 1 ? `X${i}` : `S${i % cases}`;
      const started = options.rejected && i % 2 === 0 ? '30-02-2019' : dk(start);
      return `Y${i};${caseId};${BASIS[type][start >= 2191 ? 1 : 0]};${type};Leverandør ${i % 50};${dk(start - 5)};${started};${i % 4 ? dk(start + 300) : ''};${cost.toLocaleString('da-DK')},50;${i % 7 ? '' : '6'}`;
    },
  );
  return { measures, cases, assignments: cases, notifications, caseworkers: workers };
}
