import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { openApiComponents } from './openapi-schema';

/**
 * The API's OpenAPI description: Nest's routes and decorators, with the request and response
 * schemas from @bu/contracts (zod) as components. Served by API_DOCS and written to
 * apps/web/src/api/openapi.json by `npm run generate:api`, from which the web client's types come.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Børneblik API')
      .setDescription('Nøgletal for børn og unge med særlige behov. Every figure follows the KPI catalogue (docs/KPIS.md).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(openApiComponents() as NonNullable<OpenAPIObject['components']>['schemas']) },
  };
  return document;
}
