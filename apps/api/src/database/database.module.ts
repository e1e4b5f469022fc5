import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APPLICATION_NAME } from '@bu/config';
import { createDataSource } from '@bu/db';
import { watchPool, type PoolCounts } from '@bu/metrics';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG, AppConfig } from '../config';
import { ReadReplica } from './read-replica';
import { RequestScopeInterceptor } from './request-scope';
import { scopedPg } from './scoped-pg';

/** How each data source's pool leaves the metrics (the factory has no instance to keep it on). */
const unwatchPools = new Map<DataSource, () => void>();

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG],
      // As the role bu_api under row-level security, in the request's municipality scope (see scoped-pg.ts).
      useFactory: async (config: AppConfig) => {
        const dataSource = await createDataSource(config.databaseUrl, {
          driver: scopedPg,
          applicationName: APPLICATION_NAME.api,
          statementTimeoutMs: config.statementTimeoutMs,
          connectTimeoutMs: config.dbConnectTimeoutMs,
        }).initialize();
        // TypeORM's pg pool, in the operators' metrics until the module shuts down.
        unwatchPools.set(dataSource, watchPool(APPLICATION_NAME.api, (dataSource.driver as PostgresDriver).master as PoolCounts));
        return dataSource;
      },
    },
    ReadReplica,
    { provide: APP_INTERCEPTOR, useClass: RequestScopeInterceptor },
  ],
  exports: [DataSource, ReadReplica],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    unwatchPools.get(this.dataSource)?.();
    unwatchPools.delete(this.dataSource);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
