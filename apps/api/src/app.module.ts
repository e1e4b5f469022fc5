import { DynamicModule, Module } from '@nestjs/common';
import { KpiCache } from './kpi/kpi-cache.service';
import { AuditService } from './audit/audit.service';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, AppConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { ComparisonGroupsController } from './goals/comparison-groups.controller';
import { GoalsController } from './goals/goals.controller';
import { ImportsController } from './imports/imports.controller';
import { KpiController } from './kpi/kpi.controller';
import { MunicipalitiesController } from './municipalities/municipalities.controller';
import { ScopeService } from './municipalities/scope.service';
import { SettingsController } from './settings/settings.controller';
import { QueueModule } from './queue/queue.module';
import { DocsModule } from './security/docs.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [DatabaseModule, QueueModule, AuthModule, DocsModule.forRoot(config.apiDocs === 'admin')],
      controllers: [
        HealthController,
        MunicipalitiesController,
        KpiController,
        ImportsController,
        GoalsController,
        ComparisonGroupsController,
        SettingsController,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }, ScopeService, AuditService, KpiCache],
      exports: [APP_CONFIG],
    };
  }
}
