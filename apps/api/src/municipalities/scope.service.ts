import { ForbiddenException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MunicipalityInfo } from '@bu/contracts';
import { settingValue, type SettingRow } from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';

/** Which municipalities a user may see, and each one's default as-of date. */
@Injectable()
export class ScopeService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async municipalities(user: AuthUser): Promise<MunicipalityInfo[]> {
    const rows: { code: number; name: string; export_date: string | null; keys: number }[] = await this.db.query(
      `SELECT m.code, m.name, to_char(max(s.export_date), 'YYYY-MM-DD') AS export_date, count(DISTINCT coalesce(s.pseudonym_key_id, ''))::int AS keys
       FROM municipality m LEFT JOIN source_snapshot s ON s.municipality_code = m.code AND s.source IN ('dubu', 'csc')
       WHERE ($1::smallint IS NULL AND s.export_date IS NOT NULL) OR m.code = $1
       GROUP BY m.code, m.name ORDER BY m.name`,
      [user.municipality],
    );
    // The data-freshness limit of each municipality (one query for all of them).
    const limits: SettingRow[] = await this.db.query(`SELECT municipality_code, key, value FROM setting WHERE key = 'data.max_age_days'`);
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
