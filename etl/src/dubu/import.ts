import { existsSync } from 'fs';
import { join } from 'path';
import type { Pool, PoolClient } from 'pg';
import type { ColumnSpec } from '../csv/header';
import type { Row } from '../file-reader';
import { ImportFailure, IssueLog } from '../issues';
import { ImportOptions, ImportResult, runImport, StageResult } from '../import-run';
import { EntityName, entityDef } from '../load/entities';
import { stageFile } from '../load/stage-file';
import { createStaging, mergeSnapshot, stagingTable } from '../load/merge';
import { rejectStaged, warnConflictingDuplicates } from '../load/set-rules';
import { Pseudonymiser } from '../pseudonym';
import * as f from './files';
import { DubuContext, DUBU_FORMAT } from './files';

interface DubuFile {
  file: string;
  entity: EntityName;
  required: boolean;
  columns: ColumnSpec[];
  map: (row: Row, ctx: DubuContext) => unknown[] | null;
  /** Event or start dates (SQL on the staging row): not after the export date + 1 year; the newest is the default export date. */
  eventDates: string[];
  /** Column referencing a case in sager.csv / a measure in ydelser.csv (set-based reference rules). */
  caseRef?: string;
  measureRef?: string;
  /** What one row is, for the duplicate-id warning; undefined when the whole row is the key. */
  idLabel?: string;
}

// sager.csv first: it decides the municipality the rest of the export belongs to.
export const DUBU_FILES: DubuFile[] = [
  { file: 'sager.csv', entity: 'cases', required: true, columns: f.SAGER_COLUMNS, map: f.mapSag, eventDates: ['opened', 'closed'], idLabel: 'sagsnummer' },
  { file: 'medarbejdere.csv', entity: 'caseworkers', required: true, columns: f.MEDARBEJDERE_COLUMNS, map: f.mapMedarbejder, eventDates: ['employed_from'], idLabel: 'initialer' },
  { file: 'sagsansvar.csv', entity: 'assignments', required: true, columns: f.SAGSANSVAR_COLUMNS, map: f.mapSagsansvar, eventDates: ['valid_from'], caseRef: 'case_id' },
  { file: 'underretninger.csv', entity: 'notifications', required: false, columns: f.UNDERRETNINGER_COLUMNS, map: f.mapUnderretning, eventDates: [`(received_at AT TIME ZONE 'Europe/Copenhagen')::date`], idLabel: 'underretnings-id' },
  { file: 'undersoegelser.csv', entity: 'investigations', required: false, columns: f.UNDERSOEGELSER_COLUMNS, map: f.mapUndersoegelse, eventDates: ['started', 'completed'], caseRef: 'case_id', idLabel: 'undersøgelses-id' },
  { file: 'ydelser.csv', entity: 'measures', required: false, columns: f.YDELSER_COLUMNS, map: f.mapYdelse, eventDates: ['started', 'decided'], caseRef: 'case_id', idLabel: 'ydelses-id' },
  { file: 'handleplaner.csv', entity: 'plans', required: false, columns: f.HANDLEPLANER_COLUMNS, map: f.mapHandleplan, eventDates: ['plan_date'], caseRef: 'case_id', idLabel: 'handleplan-id' },
  { file: 'opfoelgninger.csv', entity: 'followups', required: false, columns: f.OPFOELGNINGER_COLUMNS, map: f.mapOpfoelgning, eventDates: ['followup_date'], measureRef: 'measure_id' },
  { file: 'tilsyn.csv', entity: 'visits', required: false, columns: f.TILSYN_COLUMNS, map: f.mapTilsyn, eventDates: ['visit_date'], measureRef: 'measure_id' },
  { file: 'boernesamtaler.csv', entity: 'conversations', required: false, columns: f.BOERNESAMTALER_COLUMNS, map: f.mapBoernesamtale, eventDates: ['conversation_date'], caseRef: 'case_id' },
  { file: 'effektmaalinger.csv', entity: 'effects', required: false, columns: f.EFFEKTMAALINGER_COLUMNS, map: f.mapEffektmaaling, eventDates: ['measured_on'], caseRef: 'case_id' },
  { file: 'klager.csv', entity: 'complaints', required: false, columns: f.KLAGER_COLUMNS, map: f.mapKlage, eventDates: ['received', 'decided'], caseRef: 'case_id', idLabel: 'klage-id' },
];

export async function importDubu(pool: Pool, dir: string, options: ImportOptions): Promise<ImportResult> {
  const missing = DUBU_FILES.find((file) => file.required && !existsSync(join(dir, file.file)));
  if (missing) {
    // Recorded as a failed import like any other whole-file failure.
    return runImport(pool, 'dubu', [], options, async () => {
      throw new ImportFailure('FILE_MISSING', missing.file, `Udtrækket mangler filen ${missing.file}.`);
    });
  }
  const present = DUBU_FILES.filter((file) => existsSync(join(dir, file.file)));
  const absent = DUBU_FILES.filter((file) => !present.includes(file));
  return runImport(pool, 'dubu', present.map((file) => join(dir, file.file)), options, (client, log) => {
    for (const file of absent) log.add('FILE_ABSENT', file.file, null, null, `Filen ${file.file} er ikke med i udtrækket; de tidligere indlæste data for den beholdes.`);
    return stageDubu(client, log, dir, present, options);
  });
}

async function stageDubu(client: PoolClient, log: IssueLog, dir: string, files: DubuFile[], options: ImportOptions): Promise<StageResult> {
  const ctx: DubuContext = { municipality: options.municipality ?? null, source: 'dubu', pseudonyms: new Pseudonymiser(options.pseudonymSecret) };
  for (const file of files) await createStaging(client, entityDef(file.entity));
  for (const derived of ['persons', 'teams'] as const) await createStaging(client, entityDef(derived));

  for (const file of files) {
    const input = { path: join(dir, file.file), file: file.file, format: DUBU_FORMAT, columns: file.columns };
    const read = await stageFile(client, log, input, entityDef(file.entity), (row) => file.map(row, ctx), options.onProgress);
    if (file.entity === 'cases') await checkCases(client, log, ctx, read);
  }
  const municipality = ctx.municipality!;
  const stg = (entity: EntityName) => stagingTable(entityDef(entity));

  const exportDate = options.exportDate ?? (await newestDate(client, files));
  if (!exportDate) throw new ImportFailure('FILE_EMPTY', 'sager.csv', 'Udtrækket indeholder ingen datoer; udtræksdatoen kan ikke bestemmes. Angiv --export-date.');

  for (const file of files) {
    for (const date of file.eventDates) {
      await rejectStaged(
        client, log, stg(file.entity), 'DATE_AFTER_EXPORT', `${date} > $1::date + interval '1 year'`, `to_char(${date}, 'DD-MM-YYYY')`,
        (v) => `Dato mere end et år efter udtræksdatoen ${exportDate}: ${v}.`, [exportDate],
      );
    }
  }
  // References inside the snapshot: a case must be in sager.csv, a measure in ydelser.csv.
  for (const file of files) {
    if (file.caseRef) {
      await rejectStaged(
        client, log, stg(file.entity), 'UNKNOWN_CASE', `NOT EXISTS (SELECT 1 FROM ${stg('cases')} c WHERE c.case_id = ${stg(file.entity)}.${file.caseRef})`,
        file.caseRef, (v) => `Sagsnummer ${v} findes ikke i sager.csv.`,
      );
    }
  }
  const measuresPresent = files.some((file) => file.entity === 'measures');
  for (const file of files) {
    if (file.measureRef) {
      const known = measuresPresent ? `SELECT 1 FROM ${stg('measures')} m WHERE m.measure_id = ${stg(file.entity)}.${file.measureRef}` : `SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = 'dubu' AND m.measure_id = ${stg(file.entity)}.${file.measureRef}`;
      await rejectStaged(
        client, log, stg(file.entity), 'UNKNOWN_MEASURE', `NOT EXISTS (${known})`, file.measureRef,
        (v) => `Ydelses-ID ${v} findes ikke i ydelser.csv.`, measuresPresent ? [] : [municipality],
      );
    }
  }
  const { rows: unknownWorkers } = await client.query(
    `SELECT _file, _line, worker_id FROM ${stg('assignments')} a WHERE worker_id <> '' AND NOT EXISTS (SELECT 1 FROM ${stg('caseworkers')} w WHERE w.worker_id = a.worker_id) ORDER BY _line`,
  );
  for (const r of unknownWorkers) log.add('UNKNOWN_WORKER', r._file, r._line, r.worker_id, `Initialerne ${r.worker_id} findes ikke i medarbejdere.csv; sagsansvaret gemmes alligevel.`);

  for (const file of files) {
    const def = entityDef(file.entity);
    if (file.idLabel) await warnConflictingDuplicates(client, log, stg(file.entity), def.key, def.values, file.idLabel);
  }

  if (files.some((file) => file.entity === 'notifications')) await linkNotificationsToCases(client, stg('notifications'), stg('cases'));
  if (files.some((file) => file.entity === 'effects')) await numberEffectMeasurements(client, stg('effects'));

  // Derived: the children behind cases and notifications, and the caseworkers' teams.
  const personSources = [stg('cases'), ...(files.some((file) => file.entity === 'notifications') ? [stg('notifications')] : [])];
  await client.query(
    `INSERT INTO ${stagingTable(entityDef('persons'))} (municipality_code, source, person_id, birth_date, sex, _file, _line)
     SELECT DISTINCT ON (person_id) municipality_code, source, person_id, _birth_date, _sex, _file, _line
     FROM (${personSources.map((t) => `SELECT municipality_code, source, person_id, _birth_date, _sex, _file, _line FROM ${t}`).join(' UNION ALL ')}) p
     ORDER BY person_id, _file, _line DESC`,
  );
  await client.query(
    `INSERT INTO ${stagingTable(entityDef('teams'))} (municipality_code, source, name, _file, _line)
     SELECT DISTINCT ON (team) municipality_code, source, team, _file, _line FROM ${stg('caseworkers')} WHERE team IS NOT NULL ORDER BY team, _line`,
  );

  const merged: StageResult['merged'] = {};
  for (const file of files) merged[file.entity] = await mergeSnapshot(client, entityDef(file.entity), municipality, 'dubu');
  for (const derived of ['persons', 'teams'] as const) merged[derived] = await mergeSnapshot(client, entityDef(derived), municipality, 'dubu');
  return { municipality, exportDate, merged };
}

/**
 * A snapshot whose sager.csv has rows but not one valid case would wipe the municipality's
 * cases: that is a wrong file or a wrong --municipality, so the import fails instead.
 */
async function checkCases(client: PoolClient, log: IssueLog, ctx: DubuContext, read: number): Promise<void> {
  if (ctx.municipality === null) {
    throw new ImportFailure('NO_MUNICIPALITY', 'sager.csv', 'Kommunen kan ikke bestemmes: sager.csv har ingen gyldige rækker med Kommunenr, og --municipality er ikke angivet.');
  }
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${stagingTable(entityDef('cases'))}`);
  if (read > 0 && rows[0].n === 0) {
    const mismatched = log.rejected.filter((r) => r.file === 'sager.csv' && r.rule === 'R008').length;
    throw new ImportFailure(
      'NO_MUNICIPALITY',
      'sager.csv',
      mismatched > 0
        ? `Ingen rækker i sager.csv hører til kommune ${ctx.municipality} (${mismatched} af ${read} rækker har et andet kommunenummer). Intet er indlæst.`
        : `Alle ${read} rækker i sager.csv blev afvist; intet er indlæst.`,
    );
  }
}

/** EXPORTS.md: the child's case open at receipt, else the child's first case opened after it, else the latest. */
async function linkNotificationsToCases(client: PoolClient, notifications: string, cases: string): Promise<void> {
  await client.query(
    `UPDATE ${notifications} n SET case_id = (
       SELECT c.case_id FROM ${cases} c
       CROSS JOIN LATERAL (SELECT (n.received_at AT TIME ZONE 'Europe/Copenhagen')::date AS day) r
       WHERE c.person_id = n.person_id
       ORDER BY CASE WHEN c.opened <= r.day AND (c.closed IS NULL OR c.closed >= r.day) THEN 0 WHEN c.opened > r.day THEN 1 ELSE 2 END,
                CASE WHEN c.opened > r.day THEN c.opened END ASC,
                c.opened DESC, c.case_id
       LIMIT 1)`,
  );
}

/** Several measurements of one case on one date are numbered; exact duplicate rows count once. */
async function numberEffectMeasurements(client: PoolClient, effects: string): Promise<void> {
  await client.query(
    `DELETE FROM ${effects} a USING ${effects} b
     WHERE a._line > b._line AND (a.case_id, a.measured_on, a.development, a.family_relations, a.school, a.health, a.leisure)
                               = (b.case_id, b.measured_on, b.development, b.family_relations, b.school, b.health, b.leisure)`,
  );
  await client.query(
    `UPDATE ${effects} e SET seq = n.seq FROM (
       SELECT _line, row_number() OVER (PARTITION BY case_id, measured_on ORDER BY _line) AS seq FROM ${effects}) n
     WHERE e._line = n._line`,
  );
}

/**
 * The export date when none is given: the newest event date in the snapshot that is not after
 * today (a typo far in the future must not move every figure's default date).
 */
async function newestDate(client: PoolClient, files: DubuFile[]): Promise<string | null> {
  const parts = files.flatMap((file) => file.eventDates.map((d) => `SELECT max(${d}) AS d FROM ${stagingTable(entityDef(file.entity))} WHERE ${d} <= $1::date`));
  const { rows } = await client.query(`SELECT to_char(max(d), 'YYYY-MM-DD') AS d FROM (${parts.join(' UNION ALL ')}) x`, [copenhagenToday()]);
  return rows[0].d;
}

function copenhagenToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
