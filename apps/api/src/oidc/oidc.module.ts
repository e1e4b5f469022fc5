import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SsoModule } from '../sso/sso.module';
import { OidcController } from './oidc.controller';
import { OidcRepository } from './oidc.repository';
import { OidcService } from './oidc.service';

/** OpenID Connect login (ADR 0053); without OIDC_ISSUER its endpoints answer 404 and no button shows. */
@Module({
  imports: [AuthModule, SsoModule],
  controllers: [OidcController],
  providers: [OidcService, OidcRepository],
})
export class OidcModule {}
