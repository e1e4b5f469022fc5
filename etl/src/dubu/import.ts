import { existsSync } from 'fs';
import { join } from 'path';
import type { Pool, PoolClient } from 'pg';
import { readRows } from '../file-reader';
import { ImportFailure, IssueLog } from '../issues';
import { ImportOptions, ImportResult, runImport, StageResult } from '../import-run';
import { CopyWriter } from '../load/copy';
import { EntityName, entityDef, stagingColumns } from '../load/entities';
import { createStaging, mergeSnapshot, stagingTable } from '../load/merge';
import { rejectStaged, warnConflictingDuplicates } from '../load/set-rules';
import { Pseudonymiser } from '../pseudonym';
import { ColumnSpec } from '../csv/header';
import { Row } from '../file-reader';
import {
  DubuContext, DUBU_FORMAT, mapMedarbejder, mapSag, mapSagsansvar, MEDARBEJDERE_COLUMNS, SAGER_COLUMNS, SAGSANSVAR_COLUMNS,
} from './files';

interface DubuFile {
  file: string;
  entity: EntityName;
  required: boolean;
  columns: ColumnSpec[];
  map: (row: Row, ctx: DubuContext) => unknown[] | null;
}

// sager.csv first: it decides the municipality the rest of the export belongs to.
export const DUBU_FILES: DubuFile[] = [
  { file: 'sager.csv', entity: 'cases', required: true, columns: SAGER_COLUMNS, map: mapSag },
  { file: 'medarbejdere.csv', entity: 'caseworkers', required: true, columns: MEDARBEJDERE_COLUMNS, map: mapMedarbejder },
  { file: 'sagsansvar.csv', entity: 'assignments', required: true, columns: SAGSANSVAR_COLUMNS, map: mapSagsansvar },
];

export async function importDubu(pool: Pool, dir: string, options: ImportOptions): Promise<ImportResult> {
  for (const f of DUBU_FILES) {
    if (f.required && !existsSync(join(dir, f.file))) {
      // Recorded as a failed import like any other whole-file failure.
      return runImport(pool, 'dubu', [], options, async () => {
        throw new ImportFailure('FILE_MISSING', f.file, `Udtrækket mangler filen ${f.file}.`);
      });
    }
  }
  const present = DUBU_FILES.filter((f) => existsSync(join(dir, f.file)));
  return runImport(pool, 'dubu', present.map((f) => join(dir, f.file)), options, (client, log) => stageDubu(client, log, dir, present, options));
}

async function stageDubu(client: PoolClient, log: IssueLog, dir: string, files: DubuFile[], options: ImportOptions): Promise<StageResult> {
  const ctx: DubuContext = { municipality: options.municipality ?? null, source: 'dubu', pseudonyms: new Pseudonymiser(options.pseudonymSecret) };
  for (const name of ['cases', 'caseworkers', 'assignments', 'persons', 'teams'] as const) await createStaging(client, entityDef(name));

  for (const f of files) {
    const def = entityDef(f.entity);
    let read = 0;
    await CopyWriter.run(client, stagingTable(def), stagingColumns(def), (writer) =>
      readRows(join(dir, f.file), f.file, DUBU_FORMAT, f.columns, log, async (row) => {
        read++;
        const staged = f.map(row, ctx);
        if (staged) await writer.write(staged);
        if (read % 50_000 === 0) options.onProgress?.({ file: f.file, rowsRead: read, rejected: log.rejected.length });
      }).then(() => undefined),
    );
    options.onProgress?.({ file: f.file, rowsRead: read, rejected: log.rejected.length });
    if (f.entity === 'cases' && ctx.municipality === null) {
      throw new ImportFailure('NO_MUNICIPALITY', f.file, 'Kommunen kan ikke bestemmes: sager.csv har ingen gyldige rækker med Kommunenr, og --municipality er ikke angivet.');
    }
  }
  const municipality = ctx.municipality!;
  const cases = stagingTable(entityDef('cases'));
  const workers = stagingTable(entityDef('caseworkers'));
  const assignments = stagingTable(entityDef('assignments'));

  const exportDate = options.exportDate ?? (await newestDate(client));
  if (!exportDate) throw new ImportFailure('FILE_EMPTY', 'sager.csv', 'Udtrækket indeholder ingen datoer; udtræksdatoen kan ikke bestemmes. Angiv --export-date.');

  const late = (v: string): string => `Dato mere end et år efter udtræksdatoen ${exportDate}: ${v}.`;
  await rejectStaged(client, log, cases, 'DATE_AFTER_EXPORT', `opened > $1::date + interval '1 year'`, 'opened', late, [exportDate]);
  await rejectStaged(client, log, assignments, 'DATE_AFTER_EXPORT', `valid_from > $1::date + interval '1 year'`, 'valid_from', late, [exportDate]);
  await rejectStaged(client, log, workers, 'DATE_AFTER_EXPORT', `employed_from > $1::date + interval '1 year'`, 'employed_from', late, [exportDate]);
  await rejectStaged(
    client, log, assignments, 'UNKNOWN_CASE',
    `NOT EXISTS (SELECT 1 FROM ${cases} c WHERE c.case_id = ${assignments}.case_id)`, 'case_id',
    (v) => `Sagsansvar for sagsnummer ${v}, som ikke findes i sager.csv.`,
  );
  const { rows: unknownWorkers } = await client.query(
    `SELECT _file, _line, worker_id FROM ${assignments} a WHERE worker_id <> '' AND NOT EXISTS (SELECT 1 FROM ${workers} w WHERE w.worker_id = a.worker_id) ORDER BY _line`,
  );
  for (const r of unknownWorkers) log.add('UNKNOWN_WORKER', r._file, r._line, r.worker_id, `Initialerne ${r.worker_id} findes ikke i medarbejdere.csv; sagsansvaret gemmes alligevel.`);

  await warnConflictingDuplicates(client, log, cases, ['case_id'], ['person_id', 'area', 'opened', 'closed'], 'sagsnummer');
  await warnConflictingDuplicates(client, log, workers, ['worker_id'], ['name', 'team', 'job_title', 'employed_from', 'employed_to'], 'initialer');

  // Derived: the children behind the cases, and the teams of the caseworkers.
  await client.query(
    `INSERT INTO ${stagingTable(entityDef('persons'))} (municipality_code, source, person_id, birth_date, sex, _file, _line)
     SELECT DISTINCT ON (person_id) municipality_code, source, person_id, _birth_date, _sex, _file, _line FROM ${cases} ORDER BY person_id, _line DESC`,
  );
  await client.query(
    `INSERT INTO ${stagingTable(entityDef('teams'))} (municipality_code, source, name, _file, _line)
     SELECT DISTINCT ON (team) municipality_code, source, team, _file, _line FROM ${workers} WHERE team IS NOT NULL ORDER BY team, _line`,
  );

  const merged: StageResult['merged'] = {};
  for (const name of ['caseworkers', 'cases', 'assignments', 'persons', 'teams'] as const) {
    merged[name] = await mergeSnapshot(client, entityDef(name), municipality, 'dubu');
  }
  return { municipality, exportDate, merged };
}

/**
 * The export date when none is given: the newest event date in the snapshot that is not after
 * today (a typo far in the future must not move every figure's default date).
 */
async function newestDate(client: PoolClient): Promise<string | null> {
  const { rows } = await client.query(
    `SELECT to_char(max(d), 'YYYY-MM-DD') AS d FROM (
       SELECT opened AS d FROM stg_child_case UNION ALL SELECT closed FROM stg_child_case
       UNION ALL SELECT valid_from FROM stg_assignment
     ) x WHERE d <= (now() AT TIME ZONE 'Europe/Copenhagen')::date`,
  );
  return rows[0].d;
}
