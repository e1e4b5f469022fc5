// Writes the CSC Social-style export of the same reality as a DUBU-style export: the demo's
// second municipality, and the fixture for the "both styles give identical rows" test.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { addDays } from '@bu/domain';
import { parseDelimited, readText } from '@bu/etl';
import { Random } from './prng';

type Rows = Record<string, string>[];

async function readDubu(dir: string, file: string): Promise<Rows> {
  const rows: Rows = [];
  let header: string[] | null = null;
  for await (const batch of parseDelimited(readText(join(dir, file), file, 'utf-8'), { separator: ';', quote: '"' })) {
    for (const r of batch) {
      if (!header) header = r.fields.map((h) => h.trim().toLowerCase());
      else rows.push(Object.fromEntries(header.map((h, i) => [h, (r.fields[i] ?? '').trim()])));
    }
  }
  return rows;
}

const iso = (dk: string): string => (dk ? `${dk.slice(6, 10)}-${dk.slice(3, 5)}-${dk.slice(0, 2)}` : '');
const amount = (dk: string): string => dk.replace(/\./g, '').replace(',', '.');
const bool = (jaNej: string): string => (jaNej === '' ? '' : jaNej.toLowerCase() === 'ja' ? '1' : '0');
/** No quoting in this format: tabs and newlines cannot occur inside a field. */
const clean = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

function write1252(path: string, header: string[], lines: string[][]): void {
  const text = [header, ...lines].map((l) => l.map(clean).join('\t')).join('\r\n') + '\r\n';
  // Windows-1252 equals Latin-1 for the Danish letters; anything outside becomes '?'.
  writeFileSync(path, Buffer.from(text.replace(/[^\x00-\xff]/g, '?'), 'latin1'));
}

export async function dubuToCsc(dubuDir: string, cscDir: string, seed = 1): Promise<void> {
  const [
    workers,
    cases,
    assignments,
    notifications,
    investigations,
    measures,
    plans,
    followups,
    visits,
    conversations,
    effects,
    complaints,
  ] = await Promise.all(
    [
      'medarbejdere',
      'sager',
      'sagsansvar',
      'underretninger',
      'undersoegelser',
      'ydelser',
      'handleplaner',
      'opfoelgninger',
      'tilsyn',
      'boernesamtaler',
      'effektmaalinger',
      'klager',
    ].map((f) => readDubu(dubuDir, `${f}.csv`)),
  );
  const municipality = cases[0]?.['kommunenr'] ?? '';
  const personIds = new Map<string, string>();
  const personOf = (cpr: string): string => {
    const digits = cpr.replace('-', '');
    if (!personIds.has(digits)) personIds.set(digits, `P${personIds.size + 1}`);
    return personIds.get(digits)!;
  };
  const caseOfMeasure = new Map(measures.map((m) => [m['ydelses-id'], m['sagsnummer']]));
  const events: string[][] = [];
  const event = (
    caseId: string,
    person: string,
    code: string,
    date: string,
    time: string,
    worker: string,
    ref: string,
    v: string[] = [],
    text = '',
  ) => events.push([caseId, person, code, date, time, worker, ref, ...[0, 1, 2, 3, 4].map((i) => v[i] ?? ''), text]);

  for (const c of cases) personOf(c['cpr']);
  // Responsible caseworker: a change event at each Fra, and "nobody" the day after a Til that nothing follows.
  const byCase = new Map<string, Rows>();
  for (const a of assignments) byCase.set(a['sagsnummer'], [...(byCase.get(a['sagsnummer']) ?? []), a]);
  for (const [caseId, list] of byCase) {
    const sorted = [...list].sort((a, b) => iso(a['fra']).localeCompare(iso(b['fra'])));
    sorted.forEach((a, i) => {
      event(caseId, '', 'SB_SKIFT', iso(a['fra']), '', a['initialer'], '');
      const next = sorted[i + 1];
      if (a['til'] && (!next || iso(next['fra']) > addDays(iso(a['til']), 1)))
        event(caseId, '', 'SB_SKIFT', addDays(iso(a['til']), 1), '', '', '');
    });
  }
  for (const n of notifications) {
    const [d, t] = n['modtaget'].split(' ');
    event('', personOf(n['cpr']), 'UND_MODT', iso(d), `${t}:00`, '', n['underretnings-id'], [n['kilde'], bool(n['akut'])]);
    if (n['vurderet']) {
      const [vd, vt] = n['vurderet'].split(' ');
      event('', personOf(n['cpr']), 'UND_VURD', iso(vd), `${vt}:00`, '', n['underretnings-id']);
    }
  }
  for (const u of investigations) {
    event(u['sagsnummer'], '', 'BFU_START', iso(u['startdato']), '', '', u['undersøgelses-id'], [u['lovgrundlag']]);
    if (u['afsluttet']) event(u['sagsnummer'], '', 'BFU_SLUT', iso(u['afsluttet']), '', '', u['undersøgelses-id']);
  }
  for (const m of measures) {
    const v = [m['lovgrundlag'], m['ydelse'], amount(m['månedlig udgift']), m['leverandør'], m['opfølgningskadence (måneder)'] ?? ''];
    if (m['bevilget']) event(m['sagsnummer'], '', 'FOR_BEV', iso(m['bevilget']), '', '', m['ydelses-id'], v);
    event(m['sagsnummer'], '', 'FOR_START', iso(m['startdato']), '', '', m['ydelses-id'], v);
    if (m['slutdato']) event(m['sagsnummer'], '', 'FOR_SLUT', iso(m['slutdato']), '', '', m['ydelses-id']);
  }
  for (const p of plans) event(p['sagsnummer'], '', 'HP', iso(p['dato']), '', '', p['handleplan-id'], [], p['type']);
  for (const o of followups) event(caseOfMeasure.get(o['ydelses-id']) ?? '', '', 'OPF', iso(o['dato']), '', '', o['ydelses-id']);
  for (const t of visits)
    event(caseOfMeasure.get(t['ydelses-id']) ?? '', '', 'TILSYN', iso(t['dato']), '', '', t['ydelses-id'], [
      bool(t['talt alene med barnet']),
    ]);
  for (const b of conversations) event(b['sagsnummer'], '', 'BSAMT', iso(b['dato']), '', '', '', [], b['anledning']);
  for (const e of effects) {
    event(e['sagsnummer'], '', 'EFFEKT', iso(e['dato']), '', '', '', [
      e['udvikling og adfærd'],
      e['familieforhold'],
      e['skole og dagtilbud'],
      e['sundhed'],
      e['fritid og venskaber'],
    ]);
  }
  for (const k of complaints) {
    event(k['sagsnummer'], '', 'KLAGE_MODT', iso(k['modtaget']), '', '', k['klage-id']);
    if (k['afgjort']) event(k['sagsnummer'], '', 'KLAGE_AFG', iso(k['afgjort']), '', '', k['klage-id'], [], k['afgørelse']);
  }
  // The log comes in no particular order.
  const rnd = new Random(seed);
  for (let i = events.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [events[i], events[j]] = [events[j], events[i]];
  }

  mkdirSync(cscDir, { recursive: true });
  write1252(
    join(cscDir, 'PERSON.txt'),
    ['PERSON_ID', 'CPRNR', 'KOMMUNE_NR'],
    [...personIds].map(([cpr, id]) => [id, cpr, municipality]),
  );
  write1252(
    join(cscDir, 'MEDARBEJDER.txt'),
    ['MEDARB_ID', 'NAVN', 'ENHED', 'ROLLE', 'START_DATO', 'SLUT_DATO'],
    workers.map((w) => [w['initialer'], w['navn'], w['team'], w['stilling'], iso(w['ansat fra']), iso(w['ansat til'])]),
  );
  write1252(
    join(cscDir, 'SAG.txt'),
    ['SAG_ID', 'PERSON_ID', 'OMRAADE', 'OPRETTET', 'AFSLUTTET'],
    cases.map((c) => [
      c['sagsnummer'],
      personOf(c['cpr']),
      c['sagsområde'] === 'Handicap' ? 'H' : 'U',
      iso(c['oprettet']),
      iso(c['lukket']),
    ]),
  );
  write1252(
    join(cscDir, 'AKTIVITET.txt'),
    ['AKT_ID', 'SAG_ID', 'PERSON_ID', 'AKT_KODE', 'DATO', 'TID', 'MEDARB_ID', 'REF_ID', 'V1', 'V2', 'V3', 'V4', 'V5', 'TEKST'],
    events.map((e, i) => [`A${i + 1}`, ...e]),
  );
}
