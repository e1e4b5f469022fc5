import { BadRequestException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEFAULT_SETTINGS, SETTING_DESCRIPTIONS, SETTING_KEYS, settingError, settingValue, type SettingKey } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { KpiCache } from '../kpi/kpi-cache.service';
import { ScopeService } from '../municipalities/scope.service';
import { SettingsRepository } from './settings.repository';

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
 * The settings the KPIs read, per municipality over the product-wide values over the documented
 * defaults. Municipality 0 is product-wide and only a national administrator may change it. A
 * change moves the KPI cache on: every figure that read the old value is stale.
 */
@Injectable()
export class SettingsService {
  constructor(
    @Inject(SettingsRepository) private readonly repository: SettingsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(KpiCache) private readonly cache: KpiCache,
  ) {}

  async list(user: AuthUser, municipality?: string): Promise<SettingView[]> {
    const code = await this.target(user, municipality, false);
    const rows = await this.repository.rows(code);
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

  async put(
    user: AuthUser,
    key: string,
    body: { municipality?: number | string; value?: unknown },
  ): Promise<{ key: string; municipality: number }> {
    const problem = settingError(key, body.value);
    if (problem) throw new BadRequestException(problem);
    const code = await this.target(user, body.municipality === undefined ? undefined : String(body.municipality), true);
    await this.repository.put(code, key, body.value);
    // The writer's next question sees the change at once (other processes hear of it by NOTIFY).
    await this.cache.read();
    return { key, municipality: code };
  }

  async remove(user: AuthUser, key: string, municipality?: string): Promise<void> {
    if (!(SETTING_KEYS as string[]).includes(key)) throw new BadRequestException(`Ukendt indstilling: ${key}`);
    const code = await this.target(user, municipality, true);
    if (!(await this.repository.delete(code, key)))
      throw new NotFoundException(`${key} har ingen egen værdi for ${code === 0 ? 'hele produktet' : `kommune ${code}`}`);
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
