import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { User } from '@bu/contracts';
import { saveUser, setDisabled, type NewUser } from '../auth/users';

/** app_user as the administration sees it (the insert and the rules are shared with `npm run admin`). */
@Injectable()
export class UsersRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Every non-demo user, or the municipality's. */
  list(municipality: number | null): Promise<User[]> {
    return this.db.query(
      `SELECT username, role, municipality_code AS municipality, teams, to_char(created_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS "createdAt", disabled
       FROM app_user WHERE NOT demo AND ($1::smallint IS NULL OR municipality_code = $1) ORDER BY username`,
      [municipality],
    );
  }

  /** The user's municipality; undefined when there is no such user. */
  async municipalityOf(username: string): Promise<{ municipality: number | null } | undefined> {
    const [row] = await this.db.query('SELECT municipality_code AS municipality FROM app_user WHERE username = $1', [username]);
    return row;
  }

  save(user: NewUser): Promise<void> {
    return saveUser((sql, params) => this.db.query(sql, params), user);
  }

  async delete(username: string): Promise<void> {
    await this.db.query('DELETE FROM app_user WHERE username = $1', [username]);
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    await setDisabled((sql, params) => this.db.query(sql, params), username, disabled);
  }
}
