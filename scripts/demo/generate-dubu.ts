// Realistic demo exports in the DUBU style (EXPORTS.md section 1), resembling the national
// figures in USERS.md, with the mess real exports have. Deterministic for a seed.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { addDays, addMonths, daysBetween } from '@bu/domain';
import { Random } from './prng';

export interface DubuDemoOptions {
  municipalityCode: number;
  seed: number;
  /** Children in contact with the services over the years. */
  children: number;
  firstYear: number;
  /** YYYY-MM-DD; the newest event in the export. */
  exportDate: string;
  messy?: boolean;
}

export interface DubuDemoResult {
  files: string[];
  cprs: string[];
  /** What was made messy on purpose, so tests can check the ETL reports exactly that. */
  stats: Record<string, number>;
}

const dk = (iso: string | null): string => (iso ? `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}` : '');
const money = (n: number): string => {
  const [whole, dec] = n.toFixed(2).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${dec}`;
};
const quote = (s: string): string => (/[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const FIRST = [
  'Anne',
  'Mette',
  'Søren',
  'Jens',
  'Louise',
  'Mads',
  'Camilla',
  'Peter',
  'Rikke',
  'Ole',
  'Åse',
  'Birgitte',
  'Kasper',
  'Helle',
  'Mikkel',
  'Line',
  'Thomas',
  'Ærø',
];
const LAST = [
  'Jensen',
  'Nielsen',
  'Hansen',
  'Pedersen',
  'Andersen',
  'Christensen',
  'Larsen',
  'Sørensen',
  'Rasmussen',
  'Jørgensen',
  'Madsen',
  'Kristensen',
  'Østergaard',
  'Holm',
];
const SOURCES = [
  ['skole', 30],
  ['dagtilbud', 12],
  ['sundhed', 16],
  ['politi', 18],
  ['forælder', 8],
  ['anonym', 6],
  ['andet', 10],
] as const;
const PLACEMENTS = [
  ['Plejefamilie', 43],
  ['Netværkspleje', 10],
  ['Kommunal plejefamilie', 10],
  ['Døgninstitution', 17],
  ['Opholdssted', 14],
  ['Sikret døgninstitution', 2],
  ['Eget værelse', 4],
] as const;
const PREVENTIVE = [
  ['Familiebehandling', 30],
  ['Kontaktperson', 25],
  ['Aflastning', 12],
  ['Praktisk pædagogisk støtte', 8],
  ['Fast kontaktperson for familien', 10],
  ['Økonomisk støtte', 8],
  ['Døgnophold for familien', 3],
  ['Formidling af praktikophold', 2],
] as const;
const OUTCOMES = [
  ['Stadfæstet', 60],
  ['Ændret', 12],
  ['Ophævet', 8],
  ['Hjemvist', 12],
  ['Afvist', 8],
] as const;
const PROVIDERS = [
  'Kommunens familiecenter',
  'Privat leverandør A/S',
  'Opholdsstedet Lyngly',
  'Døgninstitutionen Skovbo',
  'Plejefamilie (kommunens)',
  'Solstrålen; afd. Syd',
];

function legalBasis(type: string, start: string, consent: boolean): string {
  const bl = start >= '2024-01-01';
  if (['Merudgifter'].includes(type)) return bl ? 'BL § 86' : 'SEL § 41';
  if (type === 'Tabt arbejdsfortjeneste') return bl ? 'BL § 87' : 'SEL § 42';
  if (type === 'Efterværn') return bl ? 'BL §§ 114-116' : 'SEL § 76';
  if (type === 'Økonomisk støtte') return bl ? 'BL § 35' : 'SEL § 52 a';
  if (PLACEMENTS.some(([t]) => t === type)) return consent ? (bl ? 'BL § 46' : 'SEL § 52, stk. 3, nr. 7') : bl ? 'BL § 47' : 'SEL § 58';
  return bl ? 'BL § 32' : 'SEL § 52, stk. 3, nr. 3';
}

interface Worker {
  id: string;
  name: string;
  team: string;
  title: string;
  from: string;
  to: string | null;
}

export async function generateDubuExport(dir: string, opts: DubuDemoOptions): Promise<DubuDemoResult> {
  const rnd = new Random(opts.seed);
  const messy = opts.messy ?? true;
  const D = opts.exportDate;
  const start = `${opts.firstYear}-01-01`;
  const span = daysBetween(start, D);
  const dateIn = (from: string, to: string): string => addDays(from, rnd.int(0, Math.max(0, daysBetween(from, to))));
  const stats: Record<string, number> = {};
  const count = (key: string) => (stats[key] = (stats[key] ?? 0) + 1);

  // Caseworkers: three case teams and the intake team. One Rådgiver left two months before D,
  // still holding open cases (the handover list).
  const workers: Worker[] = [];
  const teams = ['Team Nord', 'Team Syd', 'Team Handicap', 'Modtagelsen'];
  const usedIds = new Set<string>();
  const person = (team: string, title: string, from: string, to: string | null): Worker => {
    let name = '';
    let id = '';
    do {
      name = `${rnd.pick(FIRST)} ${rnd.pick(LAST)}`;
      id =
        name
          .split(' ')
          .map((p) => p[0])
          .join('')
          .toUpperCase() +
        (usedIds.size + 1);
    } while (usedIds.has(id));
    usedIds.add(id);
    const w = { id, name, team, title, from, to };
    workers.push(w);
    return w;
  };
  // Caseloads of 25-55 open cases per caseworker, as the survey found.
  const perTeam = Math.max(2, Math.round(opts.children / 200));
  for (const team of teams) {
    person(team, 'Teamleder', `${opts.firstYear - 3}-08-01`, null);
    const n = team === 'Modtagelsen' ? 2 : team === 'Team Handicap' ? Math.max(2, Math.round(perTeam / 2)) : perTeam;
    for (let i = 0; i < n; i++) person(team, 'Rådgiver', dateIn(`${opts.firstYear - 4}-01-01`, `${opts.firstYear}-06-30`), null);
  }
  person('Ledelse', 'Chef', `${opts.firstYear - 5}-01-01`, null);
  person('Team Syd', 'Faglig koordinator', `${opts.firstYear - 2}-03-01`, null);
  const leaver = workers.find((w) => w.team === 'Team Nord' && w.title === 'Rådgiver')!;
  leaver.to = addMonths(D, -2);
  const newcomer = person('Team Nord', 'Rådgiver', addMonths(D, -1), null);
  const caseworkersOf = (team: string) => workers.filter((w) => w.team === team && w.title === 'Rådgiver');

  const rows: Record<string, string[]> = {
    medarbejdere: [],
    sager: [],
    sagsansvar: [],
    underretninger: [],
    undersoegelser: [],
    ydelser: [],
    handleplaner: [],
    opfoelgninger: [],
    tilsyn: [],
    boernesamtaler: [],
    effektmaalinger: [],
    klager: [],
  };
  const cprs: string[] = [];
  let caseNo = 1000,
    notNo = 1,
    invNo = 1,
    measNo = 1,
    planNo = 1,
    complaintNo = 1;

  for (let c = 0; c < opts.children; c++) {
    const birth = addDays(`${Number(D.slice(0, 4)) - 17}-01-01`, rnd.int(0, 17 * 365 - 30));
    const yy = birth.slice(2, 4);
    const seventh = Number(birth.slice(0, 4)) >= 2000 ? 4 : 2;
    const cpr = `${birth.slice(8, 10)}${birth.slice(5, 7)}${yy}-${seventh}${rnd.int(0, 9)}${rnd.int(0, 9)}${rnd.int(0, 9)}`;
    cprs.push(cpr);
    const handicap = rnd.chance(0.2);
    const firstContact = addDays(start, rnd.int(0, span - 1));
    // Notifications: about a third of notified children are notified twice or more.
    const nNotifications = handicap
      ? rnd.chance(0.5)
        ? 1
        : 0
      : rnd.weighted([
          [1, 66],
          [2, 20],
          [3, 9],
          [4, 5],
        ] as const);
    for (let i = 0; i < nNotifications; i++) {
      const day = i === 0 ? firstContact : dateIn(firstContact, D);
      const hour = rnd.int(7, 16);
      const received = `${dk(day)} ${String(hour).padStart(2, '0')}:${String(rnd.int(0, 59)).padStart(2, '0')}`;
      const recentlyReceived = daysBetween(day, D) <= 1;
      const lateness = rnd.weighted([
        ['ontime', 87],
        ['late', 11],
        ['never', 2],
      ] as const);
      let assessed = '';
      if (!(recentlyReceived && rnd.chance(0.6)) && lateness !== 'never') {
        const hoursLater = lateness === 'ontime' ? rnd.int(1, 23) : rnd.int(25, 120);
        const at = addDays(day, Math.floor((hour + hoursLater) / 24));
        if (at <= D) assessed = `${dk(at)} ${String((hour + hoursLater) % 24).padStart(2, '0')}:${String(rnd.int(0, 59)).padStart(2, '0')}`;
      }
      rows.underretninger.push([`U${notNo++}`, cpr, received, assessed, rnd.weighted(SOURCES), rnd.chance(0.08) ? 'Ja' : 'Nej'].join(';'));
    }
    if (!handicap && rnd.chance(0.3)) continue; // notified, assessed, no case opened

    const caseId = `S${caseNo++}`;
    const opened = addDays(firstContact, rnd.int(0, 14)) > D ? D : addDays(firstContact, rnd.int(0, 14));
    const team = handicap ? 'Team Handicap' : rnd.chance(0.5) ? 'Team Nord' : 'Team Syd';
    let lastActivity = opened;

    // Investigation (børnefaglig undersøgelse): 50-69 % finished within 4 months.
    const invStart = opened;
    const invOutcome = rnd.weighted([
      ['ontime', 62],
      ['late', 33],
      ['open', 5],
    ] as const);
    let invEnd: string | null =
      invOutcome === 'ontime'
        ? addDays(invStart, rnd.int(30, 115))
        : invOutcome === 'late'
          ? addDays(addMonths(invStart, 4), rnd.int(1, 90))
          : null;
    if (invEnd && invEnd > D) invEnd = null;
    rows.undersoegelser.push(
      [`BFU${invNo++}`, caseId, dk(invStart), dk(invEnd), invStart >= '2024-01-01' ? 'BL § 20' : 'SEL § 50'].join(';'),
    );

    const measures: { id: string; type: string; start: string; end: string | null; placement: boolean }[] = [];
    if (invEnd) {
      const types: string[] = [];
      if (handicap) {
        types.push(rnd.pick(['Merudgifter', 'Tabt arbejdsfortjeneste']));
        if (rnd.chance(0.5)) types.push('Aflastning');
      } else if (rnd.chance(0.15)) {
        // About one in ten notified children ends up placed: 0.9 % of 0-22-year-olds at any time.
        types.push(rnd.weighted(PLACEMENTS));
      } else {
        types.push(rnd.weighted(PREVENTIVE));
        if (rnd.chance(0.25)) types.push(rnd.weighted(PREVENTIVE));
      }
      for (const type of types) {
        const placement = PLACEMENTS.some(([t]) => t === type);
        const decided = addDays(invEnd, rnd.int(0, 20));
        const mStart = addDays(decided, rnd.int(0, 14));
        if (mStart > D) continue;
        const months = placement ? rnd.int(6, 60) : rnd.int(3, 24);
        // Some open-ended; an end after D is a planned end (active until then).
        const mEnd: string | null = rnd.chance(0.15) ? null : addMonths(mStart, months);
        const cost = placement
          ? rnd.int(25_000, 110_000) + rnd.int(0, 99) / 100
          : type === 'Tabt arbejdsfortjeneste'
            ? rnd.int(15_000, 30_000)
            : rnd.int(3_000, 25_000);
        const id = `Y${measNo++}`;
        const cadence = rnd.chance(0.3) ? String(rnd.pick([3, 6, 12])) : '';
        const provider = rnd.pick(PROVIDERS);
        rows.ydelser.push(
          [
            id,
            caseId,
            legalBasis(type, mStart, rnd.chance(0.85)),
            type,
            quote(provider),
            dk(decided),
            dk(mStart),
            dk(mEnd),
            money(cost),
            cadence,
          ].join(';'),
        );
        measures.push({ id, type, start: mStart, end: mEnd, placement });
        const activeUntil = mEnd && mEnd < D ? mEnd : D;
        if (activeUntil > lastActivity) lastActivity = activeUntil;
        // Action plan: mostly before start (SEL) or within 3 months (BL), some late.
        const planDate = rnd.chance(0.8)
          ? addDays(mStart, rnd.int(-30, mStart >= '2024-01-01' ? 80 : 0))
          : addDays(mStart, rnd.int(100, 200));
        if (planDate <= D)
          rows.handleplaner.push(
            [
              `HP${planNo++}`,
              caseId,
              dk(planDate),
              mStart >= '2024-01-01' ? 'Barnets plan' : rnd.chance(0.8) ? 'Handleplan' : 'Ungeplan',
            ].join(';'),
          );
        if (rnd.chance(0.8)) rows.boernesamtaler.push([caseId, dk(addDays(decided, -rnd.int(0, 150))), 'Før afgørelse'].join(';'));
        // Follow-ups: first after ~3 months, then every ~6.
        if (type !== 'Merudgifter' && type !== 'Tabt arbejdsfortjeneste') {
          let f = addMonths(mStart, 3);
          if (rnd.chance(0.2)) f = addDays(f, rnd.int(10, 60));
          while (f <= activeUntil && rnd.chance(0.92)) {
            rows.opfoelgninger.push([id, dk(f)].join(';'));
            f = addDays(addMonths(f, Number(cadence || 6)), rnd.int(-10, 20));
          }
        }
        // Supervision visits of placed children: at least twice a year, mostly.
        if (placement) {
          let v = addDays(mStart, rnd.int(30, 120));
          while (v <= activeUntil) {
            if (rnd.chance(0.9)) rows.tilsyn.push([id, dk(v), rnd.chance(0.75) ? 'Ja' : 'Nej'].join(';'));
            v = addDays(v, rnd.int(120, 200));
          }
        }
        if (rnd.chance(0.05) && addDays(decided, 30) <= D) {
          const decidedComplaint = addDays(decided, rnd.int(30, 120));
          rows.klager.push(
            [
              `K${complaintNo++}`,
              caseId,
              dk(addDays(decided, rnd.int(1, 28))),
              decidedComplaint <= D ? dk(decidedComplaint) : '',
              decidedComplaint <= D ? rnd.weighted(OUTCOMES) : '',
            ].join(';'),
          );
        }
      }
    }
    // Effect measurement: five themes scored 1-5, repeated every ~6 months, mostly improving.
    if (measures.length > 0 && !handicap) {
      let when = measures[0].start;
      let scores = Array.from({ length: 5 }, () => rnd.int(1, 3));
      while (when <= D && when <= lastActivity) {
        rows.effektmaalinger.push([caseId, dk(when), ...scores].join(';'));
        scores = scores.map((s) =>
          Math.max(
            1,
            Math.min(
              5,
              s +
                rnd.weighted([
                  [1, 45],
                  [0, 40],
                  [-1, 15],
                ] as const),
            ),
          ),
        );
        when = addMonths(when, 6);
      }
    }
    const closed = lastActivity < D && daysBetween(lastActivity, D) > 60 ? addDays(lastActivity, rnd.int(0, 60)) : null;
    const cprText = messy && rnd.chance(0.05) ? (count('cprWithoutDash'), cpr.replace('-', '')) : cpr;
    rows.sager.push([caseId, cprText, String(opts.municipalityCode), handicap ? 'Handicap' : 'Udsatte', dk(opened), dk(closed)].join(';'));

    // Responsible caseworker history, with reassignments.
    const end = closed ?? D;
    const pool = caseworkersOf(team).filter((w) => w.from <= opened && w !== newcomer);
    let current = rnd.pick(pool.length ? pool : caseworkersOf(team));
    let from = opened;
    if (rnd.chance(0.3) && daysBetween(opened, end) > 90) {
      const switchAt = dateIn(addDays(opened, 30), addDays(end, -30));
      rows.sagsansvar.push([caseId, current.id, dk(from), dk(addDays(switchAt, -1))].join(';'));
      current = rnd.pick<Worker>(caseworkersOf(team).filter((w) => w.id !== current.id && w.from <= switchAt)) ?? current;
      from = switchAt;
    }
    // The leaver's open cases stay with the leaver (not yet handed over).
    if (current.to && current.to < end && current !== leaver) current = leaver;
    rows.sagsansvar.push([caseId, current.id, dk(from), ''].join(';'));
  }

  // Messy rows, each exactly once, as EXPORTS.md lists.
  if (messy) {
    rows.sagsansvar.push(rows.sagsansvar[3]);
    count('duplicateRows');
    rows.sager.push([`S${caseNo++}`, '010170-1235', String(opts.municipalityCode), 'Udsatte', '15-06-1969', ''].join(';'));
    count('dateBefore1970');
    rows.sager.push(
      [`S${caseNo++}`, '020271-2236', String(opts.municipalityCode), 'Udsatte', dk(addMonths(D, -3)), dk(addMonths(D, -5))].join(';'),
    );
    count('endBeforeStart');
    rows.ydelser.push(
      [
        `Y${measNo++}`,
        `S1000`,
        'BL § 32',
        'Mentorordning',
        'Privat leverandør A/S',
        dk(addMonths(D, -2)),
        dk(addMonths(D, -2)),
        '',
        money(8000),
        '',
      ].join(';'),
    );
    count('unknownMeasureType');
    rows.boernesamtaler.push(['S1000', dk(addMonths(D, -4)), '"Samtale i hjemmet;\nbarnet ønskede at tale alene"'].join(';'));
    count('quotedNewline');
    rows.sagsansvar.push(['S99999', caseworkersOf('Team Nord')[0].id, dk(addMonths(D, -1)), ''].join(';'));
    count('unknownCaseReference');
  }
  for (const w of workers) rows.medarbejdere.push([w.id, w.name, w.team, w.title, dk(w.from), dk(w.to)].join(';'));
  // A notification received on the export date makes it the newest date in the export.
  rows.underretninger.push([`U${notNo++}`, cprs[0], `${dk(D)} 08:15`, '', 'skole', 'Nej'].join(';'));

  const headers: Record<string, string> = {
    medarbejdere: 'Initialer;Navn;Team;Stilling;Ansat fra;Ansat til',
    sager: 'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    sagsansvar: messy ? ' sagsnummer ;INITIALER;Fra;Til' : 'Sagsnummer;Initialer;Fra;Til',
    underretninger: 'Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut',
    undersoegelser: 'Undersøgelses-ID;Sagsnummer;Startdato;Afsluttet;Lovgrundlag',
    ydelser: 'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    handleplaner: 'Handleplan-ID;Sagsnummer;Dato;Type',
    opfoelgninger: 'Ydelses-ID;Dato',
    tilsyn: messy ? 'Ydelses-ID;Dato;Talt alene med barnet;Bemærkning' : 'Ydelses-ID;Dato;Talt alene med barnet',
    boernesamtaler: 'Sagsnummer;Dato;Anledning',
    effektmaalinger: 'Sagsnummer;Dato;Udvikling og adfærd;Familieforhold;Skole og dagtilbud;Sundhed;Fritid og venskaber',
    klager: 'Klage-ID;Sagsnummer;Modtaget;Afgjort;Afgørelse',
  };
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, lines] of Object.entries(rows)) {
    const bom = messy && ['sager', 'medarbejdere', 'ydelser'].includes(name);
    const crlf = messy && ['medarbejdere', 'underretninger'].includes(name);
    const body = [headers[name], ...lines];
    if (messy && name === 'sager') body.splice(Math.min(5, body.length), 0, '');
    if (messy && name === 'medarbejdere') body[body.length - 1] += ';;';
    const file = `${name}.csv`;
    writeFileSync(join(dir, file), (bom ? '\uFEFF' : '') + body.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n'), 'utf8');
    files.push(file);
  }
  if (messy) Object.assign(stats, { blankLines: 1, trailingEmptyColumns: 1, unknownColumns: 1 });
  return { files, cprs, stats };
}
