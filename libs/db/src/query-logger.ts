import type { Logger as TypeOrmLogger } from 'typeorm';
import { maskCprLike } from '@bu/domain';
import { logger } from '@bu/logger';

/**
 * TypeORM's log through the product's logger, never to the console as TypeORM's own does: a
 * failed query is logged without its parameters (they are row values, a case number among them)
 * and CPR-masked. A failure its caller handles (a unique key taken) is a warning; one nobody
 * handles is logged again as an error by whoever sees it (the API's exception handler).
 */
export class MaskedQueryLogger implements TypeOrmLogger {
  logQuery(): void {}

  // The parameters are never logged.
  logQueryError(error: string | Error, query: string, _parameters?: unknown[]): void {
    logger().warn(
      { err: error instanceof Error ? error : new Error(String(error)), query: maskCprLike(query).slice(0, 2000) },
      'A database query failed',
    );
  }

  logQuerySlow(): void {}

  logSchemaBuild(): void {}

  // As with TypeORM's own logger at logging: ['error']: nothing else.
  logMigration(): void {}

  log(): void {}
}
