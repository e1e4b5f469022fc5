import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  GroupMappingBodySchema,
  GroupMappingSchema,
  LoginPolicyBodySchema,
  LoginPolicySchema,
  MunicipalityQuerySchema,
  type GroupMappingBody,
  type LoginPolicyBody,
  type MunicipalityQuery,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { Validate } from '../validation/zod-validation.pipe';
import { GroupMappingsService } from './group-mappings.service';
import { IdPipe } from '../validation/id.pipe';

/** `:id` of a group mapping: an id its column can hold, else a Danish 400. */
const MappingId = new IdPipe('Gruppeopsætningens id skal være et heltal');

/** Which of the organisation's groups give which access, and whether passwords still log in. */
@ApiTags('single sign-on')
@ApiBearerAuth()
@Controller({ path: 'sso', version: '1' })
export class GroupMappingsController {
  constructor(@Inject(GroupMappingsService) private readonly service: GroupMappingsService) {}

  @Get('group-mappings')
  @Roles('admin')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(GroupMappingSchema) })
  list(@CurrentUser() admin: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.list(admin, municipalityParam(query.municipality));
  }

  @Post('group-mappings')
  @Roles('admin')
  @Validate({ body: GroupMappingBodySchema, response: GroupMappingSchema, status: 201 })
  create(@CurrentUser() admin: AuthUser, @Body() body: GroupMappingBody) {
    return this.service.create(admin, body);
  }

  @Put('group-mappings/:id')
  @Roles('admin')
  @Validate({ body: GroupMappingBodySchema, response: GroupMappingSchema })
  update(@CurrentUser() admin: AuthUser, @Param('id', MappingId) id: number, @Body() body: GroupMappingBody) {
    return this.service.update(admin, id, body);
  }

  @Delete('group-mappings/:id')
  @Roles('admin')
  @HttpCode(204)
  remove(@CurrentUser() admin: AuthUser, @Param('id', MappingId) id: number) {
    return this.service.remove(admin, id);
  }

  @Get('login-policy')
  @Roles('admin')
  @Validate({ query: MunicipalityQuerySchema, response: LoginPolicySchema })
  policy(@CurrentUser() admin: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.policy(admin, municipalityParam(query.municipality));
  }

  @Put('login-policy')
  @Roles('admin')
  @Validate({ body: LoginPolicyBodySchema, response: LoginPolicySchema })
  setPolicy(@CurrentUser() admin: AuthUser, @Body() body: LoginPolicyBody) {
    return this.service.setPolicy(admin, body.municipality, body.passwordLogin);
  }
}
