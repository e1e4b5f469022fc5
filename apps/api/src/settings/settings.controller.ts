import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  list(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string): Promise<SettingView[]> {
    return this.service.list(user, municipality);
  }

  @Put(':key')
  @Roles('admin')
  put(
    @CurrentUser() user: AuthUser,
    @Param('key') key: string,
    @Body() body: { municipality?: number; value?: unknown },
  ): Promise<{ key: string; municipality: number }> {
    return this.service.put(user, key, body);
  }

  @Delete(':key')
  @Roles('admin')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('key') key: string, @Query('municipality') municipality?: string): Promise<void> {
    return this.service.remove(user, key, municipality);
  }
}
