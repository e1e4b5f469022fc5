import 'reflect-metadata';
import { INestApplication, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { AppModule } from './app.module';
import type { AppConfig } from './config';

/** Builds the API (not listening): /api/v1/..., /api/health, OpenAPI at /api/docs, the dashboard at /. */
export async function createApp(config: AppConfig, options: { logger?: boolean } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger === false ? false : ['error', 'warn', 'log'],
  });
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.enableShutdownHooks();
  // Only these proxies' X-Forwarded-For is believed (the client address for login limits and audit).
  app.getHttpAdapter().getInstance().set('trust proxy', config.trustedProxies);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Børneblik API')
      .setDescription('Nøgletal for børn og unge med særlige behov. Every figure follows the KPI catalogue (docs/KPIS.md).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  const webDist = resolve(config.webDist);
  if (existsSync(join(webDist, 'index.html'))) {
    app.useStaticAssets(webDist, { index: false });
    // The dashboard is a single-page app: every non-API path gets its index.html.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method === 'GET' && !req.path.startsWith('/api')) res.sendFile(join(webDist, 'index.html'));
      else next();
    });
  }
  return app;
}
