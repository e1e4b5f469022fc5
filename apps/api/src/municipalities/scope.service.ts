import { ForbiddenException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { MunicipalityInfo } from '@bu/contracts';
import { settingValue } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { MunicipalitiesRepository } from './municipalities.repository';

/** Which municipalities a user may see, and each one's default as-of date. */
@Injectable()
export class ScopeService {
  constructor(@Inject(MunicipalitiesRepository) private readonly repository: MunicipalitiesRepository) {}

  async municipalities(user: AuthUser): Promise<MunicipalityInfo[]> {
    const rows = await this.repository.visible(user.municipality);
    // The data-freshness limit of each municipality (one query for all of them).
    const limits = await this.repository.maxAgeSettings();
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      exportDate: r.export_date,
      maxDataAgeDays: settingValue(limits, r.code, 'data.max_age_days'),
      pseudonymKeysMixed: r.keys > 1,
    }));
  }

  /**
   * The municipality asked for, or the user's own; 403 outside the user's scope. With a lookup
   * (the KPI cache at a data version) the list of municipalities is not read again until an import.
   */
  async resolve(
    user: AuthUser,
    requested?: number,
    cached?: (key: string, load: () => Promise<MunicipalityInfo[]>) => Promise<MunicipalityInfo[]>,
  ): Promise<MunicipalityInfo> {
    const allowed = cached
      ? await cached(`scope|${user.municipality ?? '*'}`, () => this.municipalities(user))
      : await this.municipalities(user);
    const found = requested === undefined ? allowed[0] : allowed.find((m) => m.code === requested);
    if (!found) throw new ForbiddenException(requested === undefined ? 'Ingen kommune med data' : `Ingen adgang til kommune ${requested}`);
    return found;
  }
}

/** A municipality half-way through a pseudonym key rotation has no figures: one child could count twice. */
export function refuseMixedKeys(municipality: MunicipalityInfo): void {
  if (municipality.pseudonymKeysMixed) {
    throw new ServiceUnavailableException(
      `Kommune ${municipality.code} er midt i et skift af pseudonymnøgle: dens sagssystemer er indlæst med forskellige nøgler. Tallene vises, når alle kilder er genindlæst med den nye nøgle.`,
    );
  }
}
