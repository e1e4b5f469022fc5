import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DropFolder } from '@bu/contracts';

/** drop_folder (added on the server with `npm run etl -- drop-folder add`, checked by the worker) and the newest import run each made. */
@Injectable()
export class DropFoldersRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Every folder, or the municipality's (national folders have none). */
  async list(municipality: number | null): Promise<DropFolder[]> {
    const rows: (Omit<DropFolder, 'lastImport'> & { run: DropFolder['lastImport'] })[] = await this.db.query(
      `SELECT f.id, f.municipality_code AS municipality, f.source, f.path, f.checked_at AS "checkedAt",
              f.imported_checksum AS "importedChecksum", f.last_error AS "lastError",
              CASE WHEN r.id IS NULL THEN NULL ELSE json_build_object(
                'id', r.id::text, 'status', r.status, 'startedAt', r.started_at, 'finishedAt', r.finished_at,
                'rejectedCount', r.rejected_count, 'error', r.error) END AS run
       FROM drop_folder f
       LEFT JOIN LATERAL (
         SELECT id, status, started_at, finished_at, rejected_count, error FROM import_run
         WHERE requested_by = 'drop-folder:' || f.id ORDER BY id DESC LIMIT 1
       ) r ON true
       WHERE $1::smallint IS NULL OR f.municipality_code = $1
       ORDER BY f.municipality_code NULLS FIRST, f.source, f.path`,
      [municipality],
    );
    return rows.map(({ run, ...f }) => ({
      ...f,
      checkedAt: f.checkedAt === null ? null : new Date(f.checkedAt).toISOString(),
      lastImport: run && {
        ...run,
        startedAt: new Date(run.startedAt).toISOString(),
        finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
      },
    }));
  }
}
