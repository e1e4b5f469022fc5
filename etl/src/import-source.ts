import type { Pool } from 'pg';
import { importCsc } from './csc/import';
import { importDubu } from './dubu/import';
import { importEconomy } from './economy/import';
import type { ImportOptions, ImportResult, SourceKind } from './import-run';
import { ImportFailure } from './issues';
import { runImport } from './import-run';
import { importStatistics } from './statistics/import';

// From @bu/domain, not @bu/jobs: an import from the CLI must not load BullMQ.
export { SOURCES } from '@bu/domain';

/** One entry point per source folder, used by the CLI, the job and the drop-folder pull. */
export function importSource(pool: Pool, source: SourceKind, dir: string, options: ImportOptions): Promise<ImportResult> {
  switch (source) {
    case 'dubu':
      return importDubu(pool, dir, options);
    case 'csc':
      return importCsc(pool, dir, options);
    case 'economy':
      return importEconomy(pool, dir, options);
    case 'statistics':
      return importStatistics(pool, dir, options);
    default:
      return runImport(pool, source, [], options, async () => {
        throw new ImportFailure('FILE_FORMAT', null, `Ukendt kilde: ${source}.`);
      });
  }
}
