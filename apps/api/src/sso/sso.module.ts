import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ScopeService } from '../municipalities/scope.service';
import { MunicipalitiesRepository } from '../municipalities/municipalities.repository';
import { GroupMappingsController } from './group-mappings.controller';
import { GroupMappingsRepository } from './group-mappings.repository';
import { GroupMappingsService } from './group-mappings.service';
import { SsoController } from './sso.controller';
import { SsoRepository } from './sso.repository';
import { SsoService } from './sso.service';

/** Single sign-on's shared end (the protocols' modules import it) and the group mappings. */
@Module({
  imports: [AuthModule],
  controllers: [SsoController, GroupMappingsController],
  // The scope check is stateless: its own instance here, as AppModule does not export it.
  providers: [SsoService, SsoRepository, GroupMappingsService, GroupMappingsRepository, ScopeService, MunicipalitiesRepository],
  exports: [SsoService],
})
export class SsoModule {}
