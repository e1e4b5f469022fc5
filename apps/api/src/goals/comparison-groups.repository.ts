import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ComparisonGroup } from '@bu/contracts';
import { statisticalNeighbours } from '@bu/kpi';

/** comparison_group, and the statistical neighbours (SQL in @bu/kpi) on the request's scoped connection. */
@Injectable()
export class ComparisonGroupsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  groups(municipality: number): Promise<ComparisonGroup[]> {
    return this.db.query(`SELECT id, name, members::int[] AS members FROM comparison_group WHERE municipality_code = $1 ORDER BY name`, [
      municipality,
    ]);
  }

  /** The members of one saved group of the municipality; undefined when it has none by that id. */
  async members(id: number, municipality: number): Promise<number[] | undefined> {
    const [saved] = await this.db.query('SELECT members::int[] AS members FROM comparison_group WHERE id = $1 AND municipality_code = $2', [
      id,
      municipality,
    ]);
    return saved?.members;
  }

  /** Creates the group, or replaces the members of the municipality's group with that name. */
  async save(municipality: number, name: string, members: number[], createdBy: string): Promise<number> {
    const [row] = await this.db.query(
      `INSERT INTO comparison_group (municipality_code, name, members, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (municipality_code, name) DO UPDATE SET members = EXCLUDED.members RETURNING id`,
      [municipality, name, members, createdBy],
    );
    return row.id;
  }

  /** Whether the municipality's group existed. */
  async delete(id: number, municipality: number): Promise<boolean> {
    const [, count] = await this.db.query('DELETE FROM comparison_group WHERE id = $1 AND municipality_code = $2', [id, municipality]);
    return count > 0;
  }

  neighbours(municipality: number, size: number) {
    return statisticalNeighbours((sql, params) => this.db.query(sql, params), municipality, size);
  }
}
