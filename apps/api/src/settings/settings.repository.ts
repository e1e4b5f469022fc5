import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SettingRow } from '@bu/kpi';

/** The setting table: per municipality, 0 = product-wide. */
@Injectable()
export class SettingsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The product-wide rows and the municipality's. */
  rows(municipality: number): Promise<SettingRow[]> {
    return this.db.query('SELECT municipality_code, key, value FROM setting WHERE municipality_code IN (0, $1)', [municipality]);
  }

  async put(municipality: number, key: string, value: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (municipality_code, key) DO UPDATE SET value = EXCLUDED.value`,
      [municipality, key, JSON.stringify(value)],
    );
  }

  /** Whether the municipality had its own value. */
  async delete(municipality: number, key: string): Promise<boolean> {
    const [, count] = await this.db.query('DELETE FROM setting WHERE municipality_code = $1 AND key = $2', [municipality, key]);
    return count > 0;
  }
}
