import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import {
  DEFAULT_SETTINGS,
  SETTING_DESCRIPTIONS,
  SETTING_KEYS,
  settingError,
  settingValue,
  type SettingKey,
  type SettingRow,
} from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { KpiCache } from '../kpi/kpi-cache.service';
import { ScopeService } from '../municipalities/scope.service';

/** One setting as the administrator sees it: the default, the product-wide and the municipality's value. */
export interface SettingView {
  key: SettingKey;
  description: string;
  default: unknown;
  /** Product-wide value (municipality 0), when set. */
  product: unknown;
  /** The municipality's own value, when set. */
  municipality: unknown;
  /** What the KPIs use: the municipality's, else the product-wide, else the default. */
  value: unknown;
}

/**
 * The settings the KPIs read (weights, norms, thresholds, intake team, forecast method, measure →
 * function map), per municipality over the product-wide values over the documented defaults.
 * The chief reads them; the administrator changes them. Municipality 0 is product-wide and only an
 * administrator without a municipality (a national one) may change it.
 */
@ApiTags('settings')
@ApiBearerAuth()
@Controller({ path: 'settings', version: '1' })
export class SettingsController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(KpiCache) private readonly cache: KpiCache,
  ) {}

  @Get()
  @Roles('chef', 'admin')
  async list(@CurrentUser() user: AuthUser, @Query('municipality') municipality?: string): Promise<SettingView[]> {
    const code = await this.target(user, municipality, false);
    const rows: SettingRow[] = await this.db.query('SELECT municipality_code, key, value FROM setting WHERE municipality_code IN (0, $1)', [
      code,
    ]);
    const at = (m: number, key: string) => rows.find((r) => r.municipality_code === m && r.key === key)?.value ?? null;
    return SETTING_KEYS.map((key) => ({
      key,
      description: SETTING_DESCRIPTIONS[key],
      default: DEFAULT_SETTINGS[key],
      product: at(0, key),
      municipality: code === 0 ? null : at(code, key),
      value: settingValue(rows, code, key),
    }));
  }

  @Put(':key')
  @Roles('admin')
  async put(
    @CurrentUser() user: AuthUser,
    @Param('key') key: string,
    @Body() body: { municipality?: number; value?: unknown },
  ): Promise<{ key: string; municipality: number }> {
    const problem = settingError(key, body?.value);
    if (problem) throw new BadRequestException(problem);
    const code = await this.target(user, body.municipality === undefined ? undefined : String(body.municipality), true);
    await this.db.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (municipality_code, key) DO UPDATE SET value = EXCLUDED.value`,
      [code, key, JSON.stringify(body.value)],
    );
    // Every figure that read the old value is stale; the writer's next question sees the change at once.
    await this.cache.read();
    return { key, municipality: code };
  }

  @Delete(':key')
  @Roles('admin')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('key') key: string, @Query('municipality') municipality?: string): Promise<void> {
    if (!(SETTING_KEYS as string[]).includes(key)) throw new BadRequestException(`Ukendt indstilling: ${key}`);
    const code = await this.target(user, municipality, true);
    const [, count] = await this.db.query('DELETE FROM setting WHERE municipality_code = $1 AND key = $2', [code, key]);
    if (!count) throw new NotFoundException(`${key} har ingen egen værdi for ${code === 0 ? 'hele produktet' : `kommune ${code}`}`);
    await this.cache.read();
  }

  /** The municipality asked for (0 = product-wide), within the user's scope. */
  private async target(user: AuthUser, municipality: string | undefined, writing: boolean): Promise<number> {
    if (municipality === '0') {
      if (user.municipality !== null)
        throw new ForbiddenException('Kun en administrator for hele produktet kan ændre de fælles indstillinger');
      return 0;
    }
    if (municipality !== undefined && !/^\d{1,3}$/.test(municipality)) throw new BadRequestException(`Ukendt kommunekode: ${municipality}`);
    if (writing && municipality === undefined && user.municipality === null)
      throw new BadRequestException('Angiv kommunen (0 = hele produktet)');
    return (await this.scope.resolve(user, municipality === undefined ? undefined : Number(municipality))).code;
  }
}
