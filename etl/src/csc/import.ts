import { existsSync } from 'fs';
import { join } from 'path';
import type { Pool, PoolClient } from 'pg';
import { createSnapshotStaging, finishCaseSnapshot, SnapshotEntity } from '../case-snapshot';
import { ImportOptions, ImportResult, runImport, StageContext, StageResult } from '../import-run';
import { ImportFailure, IssueLog } from '../issues';
import { CopyWriter } from '../load/copy';
import { EntityName, entityDef } from '../load/entities';
import { stagingTable } from '../load/merge';
import { rejectStaged } from '../load/set-rules';
import { stageFile } from '../load/stage-file';
import { readRows } from '../file-reader';
import { Pseudonymiser } from '../pseudonym';
import { RuleKey } from '../rules';
import * as f from './files';
import { CscContext, CSC_FORMAT } from './files';

const FILES = ['PERSON.txt', 'MEDARBEJDER.txt', 'SAG.txt', 'AKTIVITET.txt'];
const EVENTS = 'stg_csc_event';
const LOG = 'AKTIVITET.txt';

// The canonical entities built from the event log, with the same rules as DUBU's files.
const SNAPSHOT: SnapshotEntity[] = [
  { file: 'SAG.txt', entity: 'cases', eventDates: ['opened', 'closed'], happened: ['opened'], idLabel: 'SAG_ID' },
  { file: 'MEDARBEJDER.txt', entity: 'caseworkers', eventDates: ['employed_from'], happened: [], idLabel: 'MEDARB_ID' },
  { file: LOG, entity: 'assignments', eventDates: ['valid_from'], happened: [], caseRef: 'case_id' },
  { file: LOG, entity: 'notifications', eventDates: ['received_at'], happened: ['received_at', 'assessed_at'], caseRef: 'case_id' },
  { file: LOG, entity: 'investigations', eventDates: ['started', 'completed'], happened: ['started'], caseRef: 'case_id' },
  { file: LOG, entity: 'measures', eventDates: ['started', 'decided'], happened: ['started', 'decided'], caseRef: 'case_id' },
  { file: LOG, entity: 'plans', eventDates: ['plan_date'], happened: [], caseRef: 'case_id' },
  { file: LOG, entity: 'followups', eventDates: ['followup_date'], happened: [], measureRef: 'measure_id' },
  { file: LOG, entity: 'visits', eventDates: ['visit_date'], happened: [], measureRef: 'measure_id' },
  { file: LOG, entity: 'conversations', eventDates: ['conversation_date'], happened: ['conversation_date'], caseRef: 'case_id' },
  { file: LOG, entity: 'effects', eventDates: ['measured_on'], happened: ['measured_on'], caseRef: 'case_id' },
  { file: LOG, entity: 'complaints', eventDates: ['received', 'decided'], happened: ['received', 'decided'], caseRef: 'case_id' },
];

export async function importCsc(pool: Pool, dir: string, options: ImportOptions): Promise<ImportResult> {
  const missing = FILES.find((file) => !existsSync(join(dir, file)));
  return runImport(
    pool,
    'csc',
    FILES.filter((file) => existsSync(join(dir, file))).map((file) => join(dir, file)),
    options,
    async (client, log, context) => {
      if (missing) throw new ImportFailure('FILE_MISSING', missing, `Udtrækket mangler filen ${missing}.`);
      return stageCsc(client, log, dir, options, context);
    },
  );
}

async function stageCsc(
  client: PoolClient,
  log: IssueLog,
  dir: string,
  options: ImportOptions,
  context: StageContext,
): Promise<StageResult> {
  const ctx: CscContext = {
    municipality: options.municipality ?? null,
    pseudonyms: new Pseudonymiser(options.pseudonymSecret),
    persons: new Map(),
  };
  // Staging tables are made outside the transaction: `LIKE` a case-system table would keep a lock on
  // it until commit that another import's swap waits for (see PartitionOptions).
  const { client: outside } = await context.connect();
  const createOutside = (sql: string) => outside.query(sql);
  for (const e of SNAPSHOT) await createSnapshotStaging(outside, e.entity, 'csc');
  for (const derived of ['persons', 'teams'] as const) await createSnapshotStaging(outside, derived, 'csc');
  const input = (file: string, columns: typeof f.PERSON_COLUMNS) => ({ path: join(dir, file), file, format: CSC_FORMAT, columns });

  await stageFile(
    client,
    log,
    input('PERSON.txt', f.PERSON_COLUMNS),
    entityDef('persons'),
    (row) => f.mapPerson(row, ctx),
    options.onProgress,
  );
  if (ctx.municipality === null)
    throw new ImportFailure(
      'NO_MUNICIPALITY',
      'PERSON.txt',
      'Kommunen kan ikke bestemmes: PERSON.txt har ingen gyldige rækker med KOMMUNE_NR, og --municipality er ikke angivet.',
    );
  if (ctx.persons.size === 0)
    throw new ImportFailure(
      'NO_MUNICIPALITY',
      'PERSON.txt',
      `Ingen gyldige personer i PERSON.txt for kommune ${ctx.municipality}; intet er indlæst.`,
    );
  await stageFile(
    client,
    log,
    input('MEDARBEJDER.txt', f.MEDARBEJDER_COLUMNS),
    entityDef('caseworkers'),
    (row) => f.mapMedarbejder(row, ctx),
    options.onProgress,
  );
  await stageFile(client, log, input('SAG.txt', f.SAG_COLUMNS), entityDef('cases'), (row) => f.mapSag(row, ctx), options.onProgress);

  await client.query(
    `CREATE TEMP TABLE ${EVENTS} (akt_id text, case_id text, person_id text, code text, day date, at timestamptz, worker_id text, ref_id text,
       v1 text, v2 text, v3 text, v4 text, v5 text, text text, measure_type text, type_code text, family text, family_care boolean,
       paragraph text, _file text, _line integer) ON COMMIT DROP`,
  );
  let read = 0;
  await CopyWriter.run(client, EVENTS, f.EVENT_STAGING_COLUMNS, async (writer) => {
    await readRows(join(dir, LOG), LOG, CSC_FORMAT, f.AKTIVITET_COLUMNS, log, async (row) => {
      read++;
      const staged = f.mapAktivitet(row, ctx);
      if (staged) await writer.write(staged);
      if (read % 50_000 === 0) options.onProgress?.({ file: LOG, rowsRead: read, rejected: log.rejectedCount });
    });
  });
  options.onProgress?.({ file: LOG, rowsRead: read, rejected: log.rejectedCount });

  await pairEvents(client, log);
  await buildFacts(client, ctx.municipality);
  await rejectEndsBeforeStarts(client, log);
  return finishCaseSnapshot(client, log, {
    source: 'csc',
    importId: context.importId,
    municipality: ctx.municipality,
    exportDate: options.exportDate,
    entities: SNAPSHOT,
    personsOfRows: false,
    createOutside,
  });
}

/** Exact duplicate events count once; then a second start or end, or an end without a start, is a row error. */
async function pairEvents(client: PoolClient, log: IssueLog): Promise<void> {
  const cols = 'akt_id, case_id, person_id, code, day, at, worker_id, ref_id, v1, v2, v3, v4, v5, text';
  await client.query(
    `DELETE FROM ${EVENTS} a USING ${EVENTS} b WHERE a.akt_id = b.akt_id AND a._line > b._line AND (${cols
      .split(', ')
      .map((c) => `a.${c}`)
      .join(', ')}) IS NOT DISTINCT FROM (${cols
      .split(', ')
      .map((c) => `b.${c}`)
      .join(', ')})`,
  );
  const pairs: [string, string | null][] = [
    ['UND_MODT', 'UND_VURD'],
    ['BFU_START', 'BFU_SLUT'],
    ['FOR_BEV', null],
    ['FOR_START', 'FOR_SLUT'],
    ['KLAGE_MODT', 'KLAGE_AFG'],
  ];
  const earlier = (code: string) =>
    `EXISTS (SELECT 1 FROM ${EVENTS} f WHERE f.code = '${code}' AND f.ref_id = ${EVENTS}.ref_id AND f._line < ${EVENTS}._line)`;
  const reject = (rule: RuleKey, where: string, what: string) =>
    rejectStaged(client, log, EVENTS, rule, where, `code || ' ' || ref_id`, (v) => `${what}: ${v}.`);
  for (const [start, end] of pairs) {
    await reject('EVENT_SECOND_START', `code = '${start}' AND ${earlier(start)}`, 'Id er startet før');
    if (!end) continue;
    await reject('EVENT_SECOND_END', `code = '${end}' AND ${earlier(end)}`, 'Id er afsluttet før');
    await reject(
      'EVENT_END_WITHOUT_START',
      `code = '${end}' AND NOT EXISTS (SELECT 1 FROM ${EVENTS} f WHERE f.code = '${start}' AND f.ref_id = ${EVENTS}.ref_id)`,
      'Ingen start for',
    );
  }
}

/** Builds the canonical staging rows from the paired events (the same shape DUBU's files give). */
async function buildFacts(client: PoolClient, municipality: number): Promise<void> {
  const stg = (entity: EntityName) => stagingTable(entityDef(entity));
  const ev = (code: string, alias: string) => `(SELECT * FROM ${EVENTS} WHERE code = '${code}') ${alias}`;
  const run = (sql: string) => client.query(sql, [municipality]);
  // SB_SKIFT: responsible from this date until the next change; an empty MEDARB_ID is nobody (no row).
  await run(
    `INSERT INTO ${stg('assignments')} (municipality_code, source, case_id, valid_from, worker_id, valid_to, _file, _line)
     SELECT $1, 'csc', case_id, day, worker_id, next_day - 1, _file, _line FROM (
       SELECT case_id, day, coalesce(worker_id, '') AS worker_id, _file, _line, lead(day) OVER (PARTITION BY case_id ORDER BY day) AS next_day
       FROM (SELECT DISTINCT ON (case_id, day) * FROM ${EVENTS} WHERE code = 'SB_SKIFT' ORDER BY case_id, day, _line DESC) last_of_day
     ) s WHERE worker_id <> ''`,
  );
  await run(
    `INSERT INTO ${stg('notifications')} (municipality_code, source, notification_id, person_id, case_id, received_at, assessed_at, channel, acute, _file, _line)
     SELECT $1, 'csc', m.ref_id, coalesce(m.person_id, c.person_id), m.case_id, m.at, v.at, m.v1, CASE m.v2 WHEN '1' THEN true WHEN '0' THEN false END, m._file, m._line
     FROM ${ev('UND_MODT', 'm')} LEFT JOIN ${ev('UND_VURD', 'v')} ON v.ref_id = m.ref_id
     LEFT JOIN ${stg('cases')} c ON c.case_id = m.case_id
     WHERE coalesce(m.person_id, c.person_id) IS NOT NULL`,
  );
  await run(
    `INSERT INTO ${stg('investigations')} (municipality_code, source, investigation_id, case_id, started, completed, legal_basis, _file, _line)
     SELECT $1, 'csc', s.ref_id, s.case_id, s.day, e.day, s.v1, s._file, s._line
     FROM ${ev('BFU_START', 's')} LEFT JOIN ${ev('BFU_SLUT', 'e')} ON e.ref_id = s.ref_id`,
  );
  // Measure attributes come from FOR_START, or from FOR_BEV when the start carries none.
  const attr = (c: string) => `CASE WHEN s.v2 IS NOT NULL THEN s.${c} ELSE b.${c} END`;
  await run(
    `INSERT INTO ${stg('measures')} (municipality_code, source, measure_id, case_id, legal_basis, law, paragraph, measure_type, type_code, family, family_care,
       provider, decided, started, ended, monthly_cost, followup_cadence_months, _file, _line)
     SELECT $1, 'csc', s.ref_id, s.case_id, ${attr('v1')}, CASE WHEN s.day < DATE '2024-01-01' THEN 'SEL' ELSE 'BL' END, ${attr('paragraph')},
            coalesce(${attr('measure_type')}, 'ukendt'), ${attr('type_code')}, coalesce(${attr('family')}, 'unknown'), coalesce(${attr('family_care')}, false),
            ${attr('v4')}, b.day, s.day, e.day, ${attr('v3')}::numeric, ${attr('v5')}::smallint, s._file, s._line
     FROM ${ev('FOR_START', 's')} LEFT JOIN ${ev('FOR_BEV', 'b')} ON b.ref_id = s.ref_id LEFT JOIN ${ev('FOR_SLUT', 'e')} ON e.ref_id = s.ref_id`,
  );
  await run(
    `INSERT INTO ${stg('plans')} (municipality_code, source, plan_id, case_id, plan_date, plan_type, _file, _line)
     SELECT DISTINCT ON (ref_id) $1, 'csc', ref_id, case_id, day,
            CASE lower(text) WHEN 'handleplan' THEN 'Handleplan' WHEN 'barnets plan' THEN 'Barnets plan' WHEN 'ungeplan' THEN 'Ungeplan' WHEN NULL THEN NULL ELSE 'ukendt' END, _file, _line
     FROM ${EVENTS} WHERE code = 'HP' ORDER BY ref_id, _line DESC`,
  );
  await run(
    `INSERT INTO ${stg('followups')} (municipality_code, source, measure_id, followup_date, _file, _line) SELECT $1, 'csc', ref_id, day, _file, _line FROM ${EVENTS} WHERE code = 'OPF'`,
  );
  await run(
    `INSERT INTO ${stg('visits')} (municipality_code, source, measure_id, visit_date, talked_alone, _file, _line)
     SELECT $1, 'csc', ref_id, day, CASE v1 WHEN '1' THEN true WHEN '0' THEN false END, _file, _line FROM ${EVENTS} WHERE code = 'TILSYN'`,
  );
  await run(
    `INSERT INTO ${stg('conversations')} (municipality_code, source, case_id, conversation_date, occasion, _file, _line)
     SELECT $1, 'csc', case_id, day, coalesce(text, ''), _file, _line FROM ${EVENTS} WHERE code = 'BSAMT'`,
  );
  await run(
    `INSERT INTO ${stg('effects')} (municipality_code, source, case_id, measured_on, seq, development, family_relations, school, health, leisure, _file, _line)
     SELECT $1, 'csc', case_id, day, 1, v1::smallint, v2::smallint, v3::smallint, v4::smallint, v5::smallint, _file, _line FROM ${EVENTS} WHERE code = 'EFFEKT'`,
  );
  await run(
    `INSERT INTO ${stg('complaints')} (municipality_code, source, complaint_id, case_id, received, decided, outcome, _file, _line)
     SELECT $1, 'csc', m.ref_id, m.case_id, m.day, a.day,
            CASE WHEN a.text IS NULL THEN NULL WHEN lower(a.text) IN ('stadfæstet', 'ændret', 'ophævet', 'hjemvist', 'afvist') THEN lower(a.text) ELSE 'ukendt' END,
            m._file, m._line
     FROM ${ev('KLAGE_MODT', 'm')} LEFT JOIN ${ev('KLAGE_AFG', 'a')} ON a.ref_id = m.ref_id`,
  );
}

/** A pair whose end lies before its start is rejected (rule R005), on the line of its start event. */
async function rejectEndsBeforeStarts(client: PoolClient, log: IssueLog): Promise<void> {
  const stg = (entity: EntityName) => stagingTable(entityDef(entity));
  const checks: [EntityName, string, string, string][] = [
    [
      'notifications',
      'assessed_at < received_at',
      `notification_id || ': vurderet ' || to_char(assessed_at, 'YYYY-MM-DD HH24:MI')`,
      'UND_VURD før UND_MODT',
    ],
    ['investigations', 'completed < started', `investigation_id || ': ' || to_char(completed, 'YYYY-MM-DD')`, 'BFU_SLUT før BFU_START'],
    ['measures', 'ended < started', `measure_id || ': ' || to_char(ended, 'YYYY-MM-DD')`, 'FOR_SLUT før FOR_START'],
    ['complaints', 'decided < received', `complaint_id || ': ' || to_char(decided, 'YYYY-MM-DD')`, 'KLAGE_AFG før KLAGE_MODT'],
  ];
  for (const [entity, where, value, what] of checks) {
    await rejectStaged(client, log, stg(entity), 'END_BEFORE_START', where, value, (v) => `Slutdato før startdato (${what}): ${v}.`);
  }
}
