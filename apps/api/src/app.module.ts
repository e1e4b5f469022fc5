import { DynamicModule, Module } from '@nestjs/common';
import { KpiCache } from './kpi/kpi-cache.service';
import { AuditLogController } from './audit/audit-log.controller';
import { AuditLogRepository } from './audit/audit-log.repository';
import { AuditLogService } from './audit/audit-log.service';
import { AuditService } from './audit/audit.service';
import { AuthModule } from './auth/auth.module';
import { SsoModule } from './sso/sso.module';
import { OidcModule } from './oidc/oidc.module';
import { APP_CONFIG, AppConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { HealthRepository } from './health/health.repository';
import { HealthService } from './health/health.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRepository } from './metrics/metrics.repository';
import { MetricsService } from './metrics/metrics.service';
import { ComparisonGroupsController } from './goals/comparison-groups.controller';
import { ComparisonGroupsRepository } from './goals/comparison-groups.repository';
import { ComparisonGroupsService } from './goals/comparison-groups.service';
import { GoalsController } from './goals/goals.controller';
import { GoalsRepository } from './goals/goals.repository';
import { GoalsService } from './goals/goals.service';
import { ImportsController } from './imports/imports.controller';
import { ImportsRepository } from './imports/imports.repository';
import { ImportsService } from './imports/imports.service';
import { KpiController } from './kpi/kpi.controller';
import { KpiRepository } from './kpi/kpi.repository';
import { KpiService } from './kpi/kpi.service';
import { MunicipalitiesController } from './municipalities/municipalities.controller';
import { MunicipalitiesRepository } from './municipalities/municipalities.repository';
import { CommitteeTexts } from './municipalities/committee-texts.service';
import { ScopeService } from './municipalities/scope.service';
import { SettingsController } from './settings/settings.controller';
import { SettingsRepository } from './settings/settings.repository';
import { SettingsService } from './settings/settings.service';
import { QueueModule } from './queue/queue.module';
import { DropFoldersController } from './drop-folders/drop-folders.controller';
import { DropFoldersRepository } from './drop-folders/drop-folders.repository';
import { DropFoldersService } from './drop-folders/drop-folders.service';
import { ReviewsController } from './reviews/reviews.controller';
import { ReviewsRepository } from './reviews/reviews.repository';
import { ReviewsService } from './reviews/reviews.service';
import { DocsModule } from './security/docs.module';
import { PreferencesController } from './preferences/preferences.controller';
import { PreferencesRepository } from './preferences/preferences.repository';
import { PreferencesService } from './preferences/preferences.service';
import { ReportQueueModule } from './reports/report-queue.module';
import { ReportsController } from './reports/reports.controller';
import { ReportsRepository } from './reports/reports.repository';
import { ReportsService } from './reports/reports.service';
import { SamlModule } from './saml/saml.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule,
        QueueModule,
        ReportQueueModule,
        AuthModule,
        SsoModule,
        OidcModule,
        SamlModule,
        DocsModule.forRoot(config.apiDocs === 'admin'),
      ],
      controllers: [
        HealthController,
        // GET /api/metrics exists only for a scraper's token (ADR 0094).
        ...(config.metricsToken ? [MetricsController] : []),
        MunicipalitiesController,
        KpiController,
        ImportsController,
        GoalsController,
        ComparisonGroupsController,
        SettingsController,
        ReportsController,
        PreferencesController,
        AuditLogController,
        DropFoldersController,
        ReviewsController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        HealthService,
        HealthRepository,
        ...(config.metricsToken ? [MetricsService, MetricsRepository] : []),
        ScopeService,
        MunicipalitiesRepository,
        CommitteeTexts,
        AuditService,
        KpiCache,
        KpiService,
        KpiRepository,
        ImportsService,
        ImportsRepository,
        GoalsService,
        GoalsRepository,
        ComparisonGroupsService,
        ComparisonGroupsRepository,
        SettingsService,
        SettingsRepository,
        ReportsService,
        ReportsRepository,
        PreferencesService,
        PreferencesRepository,
        AuditLogService,
        AuditLogRepository,
        DropFoldersService,
        DropFoldersRepository,
        ReviewsService,
        ReviewsRepository,
      ],
      exports: [APP_CONFIG],
    };
  }
}
