import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { MunicipalityQuerySchema, SettingBodySchema, SettingViewSchema, type MunicipalityQuery } from '@bu/contracts';
import { Validate } from '../validation/zod-validation.pipe';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { SettingsService, type SettingView } from './settings.service';

/**
 * The settings the KPIs read (weights, norms, thresholds, intake team, forecast method, measure →
 * function map). The chief reads them; the administrator changes them.
 */
@ApiTags('settings')
@ApiBearerAuth()
@Controller({ path: 'settings', version: '1' })
export class SettingsController {
  constructor(@Inject(SettingsService) private readonly service: SettingsService) {}

  @Get()
  @Roles('chef', 'admin')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(SettingViewSchema) })
  list(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery): Promise<SettingView[]> {
    return this.service.list(user, query.municipality);
  }

  @Put(':key')
  @Roles('admin')
  @Validate({ body: SettingBodySchema, response: z.object({ key: z.string(), municipality: z.number().int() }) })
  put(
    @CurrentUser() user: AuthUser,
    @Param('key') key: string,
    @Body() body: z.infer<typeof SettingBodySchema>,
  ): Promise<{ key: string; municipality: number }> {
    return this.service.put(user, key, body);
  }

  @Delete(':key')
  @Roles('admin')
  @HttpCode(204)
  @Validate({ query: MunicipalityQuerySchema })
  remove(@CurrentUser() user: AuthUser, @Param('key') key: string, @Query() query: MunicipalityQuery): Promise<void> {
    return this.service.remove(user, key, query.municipality);
  }
}
