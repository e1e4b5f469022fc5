import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APPLICATION_NAME } from '@bu/config';
import { createDataSource } from '@bu/db';
import { APP_CONFIG, AppConfig } from '../config';
import { ReadReplica } from './read-replica';
import { RequestScopeInterceptor } from './request-scope';
import { scopedPg } from './scoped-pg';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG],
      // As the role bu_api under row-level security, in the request's municipality scope (see scoped-pg.ts).
      useFactory: async (config: AppConfig) =>
        createDataSource(config.databaseUrl, {
          driver: scopedPg,
          applicationName: APPLICATION_NAME.api,
          statementTimeoutMs: config.statementTimeoutMs,
          connectTimeoutMs: config.dbConnectTimeoutMs,
        }).initialize(),
    },
    ReadReplica,
    { provide: APP_INTERCEPTOR, useClass: RequestScopeInterceptor },
  ],
  exports: [DataSource, ReadReplica],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
