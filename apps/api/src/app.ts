import 'reflect-metadata';
import { INestApplication, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { createLogger, logger as processLogger, type Logger } from '@bu/logger';
import { AppModule } from './app.module';
import { auditRequests } from './audit/audit.hook';
import type { AppConfig } from './config';
import { logRequests } from './logging/request-log';
import { NestLogger } from './logging/nest-logger';
import { isApiPath } from './security/api-path';
import { ErrorBodyFilter } from './security/error-body.filter';
import { OpenApiDocument } from './security/docs.module';
import { securityHeaders } from './security/headers';
import { openApiDocument } from './validation/openapi-document';
import { readRequestInput } from './validation/request-input';

/**
 * Builds the API (not listening): /api/v1/..., /api/health, the dashboard at /, and the OpenAPI
 * description as API_DOCS says: off (none), admin (/api/docs-json for an admin's token), public
 * (/api/docs and /api/docs-json for anyone; the embedded default's local demo).
 */
export async function createApp(config: AppConfig, options: { logger?: boolean | Logger } = {}): Promise<INestApplication> {
  // logger: false (most tests) writes nothing; a Logger (a test reading the lines) replaces the process's.
  const log =
    options.logger === false ? createLogger({ level: 'silent' }) : typeof options.logger === 'object' ? options.logger : processLogger();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger === false ? false : new NestLogger(log),
    // JSON bodies only (below); the one form the API reads, SAML's POST binding, is parsed on its route (SamlModule).
    bodyParser: false,
  });
  // Only these proxies' X-Forwarded-For (and X-Request-Id) is believed (the client address for login limits and audit).
  app.getHttpAdapter().getInstance().set('trust proxy', config.trustedProxies);
  // First, so every line logged while serving a request carries its id (and its user, once known).
  logRequests(app, log);
  // Then, so every answer (API, dashboard, errors) carries the headers.
  app.use(securityHeaders({ hsts: config.hsts }));
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  // A database that is down or too slow: 503 with a Danish message (database-unavailable.filter.ts);
  // every error body CPR-masked, and an unknown path answered without quoting it (error-body.filter.ts).
  app.useGlobalFilters(new ErrorBodyFilter(app.getHttpAdapter()));
  // JSON bodies (at most 100 kB), and a NUL in the URL or the body refused, in Danish (validation/request-input.ts).
  readRequestInput(app);
  // No enableShutdownHooks: Nest would close and then re-raise the signal (exit 143, the worker
  // not waited for). The entry points stop in order instead (main.ts, stopOnSignals).
  // Before every route: logins, refusals, changes and import-issue reads reach the audit log.
  auditRequests(app, log);

  if (config.apiDocs !== 'off') {
    const document = openApiDocument(app);
    if (config.apiDocs === 'public') SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
    else app.get(OpenApiDocument).value = document;
  }

  const webDist = resolve(config.webDist);
  if (existsSync(join(webDist, 'index.html'))) {
    app.useStaticAssets(webDist, { index: false });
    // The dashboard is a single-page app: every non-API path gets its index.html.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method === 'GET' && !isApiPath(req.path)) res.sendFile(join(webDist, 'index.html'));
      else next();
    });
  }
  return app;
}
