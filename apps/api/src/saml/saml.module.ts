import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { urlencoded } from 'express';
import { SsoModule } from '../sso/sso.module';
import { SamlController } from './saml.controller';
import { SamlRepository } from './saml.repository';
import { SamlService } from './saml.service';

/** Largest form the identity provider may post: a signed (and maybe encrypted) response with KOMBIT's privilege list. */
export const SAML_ACS_BODY_LIMIT = '256kb';

@Module({
  imports: [SsoModule],
  controllers: [SamlController],
  providers: [SamlService, SamlRepository],
})
export class SamlModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The only form-encoded body the API reads (the app parses JSON only, see app.ts).
    consumer
      .apply(urlencoded({ extended: false, limit: SAML_ACS_BODY_LIMIT, parameterLimit: 10 }))
      .forRoutes({ path: 'auth/saml/acs', method: RequestMethod.POST, version: '1' });
  }
}
