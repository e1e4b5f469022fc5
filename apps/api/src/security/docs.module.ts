import { Controller, DynamicModule, Get, Inject, Injectable, Module, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';

// API_DOCS=admin: the OpenAPI description only with an admin's token (no Swagger UI: a browser
// page sends no bearer token). API_DOCS=public serves both in app.ts; off serves neither.

@Injectable()
export class OpenApiDocument {
  value: object = {};
}

@ApiExcludeController()
@Controller({ path: 'docs-json', version: VERSION_NEUTRAL })
export class DocsController {
  constructor(@Inject(OpenApiDocument) private readonly document: OpenApiDocument) {}

  @Roles('admin')
  @Get()
  get(): object {
    return this.document.value;
  }
}

@Module({})
export class DocsModule {
  static forRoot(adminOnly: boolean): DynamicModule {
    return adminOnly
      ? { module: DocsModule, controllers: [DocsController], providers: [OpenApiDocument], exports: [OpenApiDocument] }
      : { module: DocsModule };
  }
}
