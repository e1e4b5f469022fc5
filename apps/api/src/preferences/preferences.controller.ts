import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PreferencesBodySchema, PreferencesSchema, type PreferencesBody } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { ApiResponseSchema, Validate } from '../validation/zod-validation.pipe';
import { PreferencesService } from './preferences.service';

/** The caller's own preferences ("Mine indstillinger"): every role, for themself only. */
@ApiTags('me')
@ApiBearerAuth()
@Controller({ path: 'me/preferences', version: '1' })
export class PreferencesController {
  constructor(@Inject(PreferencesService) private readonly service: PreferencesService) {}

  @Get()
  @Roles('udvalg', 'chef', 'teamleder', 'admin')
  @ApiResponseSchema(PreferencesSchema)
  get(@CurrentUser() user: AuthUser) {
    return this.service.get(user);
  }

  @Put()
  @Roles('udvalg', 'chef', 'teamleder', 'admin')
  @Validate({ body: PreferencesBodySchema, response: PreferencesSchema })
  put(@CurrentUser() user: AuthUser, @Body() body: PreferencesBody) {
    return this.service.put(user, body);
  }
}
