import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The caller's own row of app_user: the choices a user makes for themself. */
@Injectable()
export class PreferencesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async get(username: string): Promise<{ weeklyMail: boolean; email: string | null; password: boolean } | null> {
    const [row] = await this.db.query(
      `SELECT weekly_mail AS "weeklyMail", email, auth_source = 'local' AS password FROM app_user WHERE username = $1`,
      [username],
    );
    return row ?? null;
  }

  async setWeeklyMail(username: string, on: boolean): Promise<boolean> {
    const [, count] = await this.db.query(`UPDATE app_user SET weekly_mail = $2 WHERE username = $1`, [username, on]);
    return count > 0;
  }
}
