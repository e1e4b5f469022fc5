import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Preferences, PreferencesBody } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { PreferencesRepository } from './preferences.repository';

/** The roles the weekly e-mail of work-list counts is for. */
const WEEKLY_MAIL_ROLES = ['teamleder', 'chef'];

/** Each user's own preferences (the weekly e-mail on or off); never another user's. */
@Injectable()
export class PreferencesService {
  constructor(@Inject(PreferencesRepository) private readonly repository: PreferencesRepository) {}

  async get(user: AuthUser): Promise<Preferences> {
    const row = await this.repository.get(user.username);
    if (!row) throw new NotFoundException('Brugeren findes ikke');
    return {
      weeklyMail: row.weeklyMail,
      email: row.email,
      weeklyMailForRole: WEEKLY_MAIL_ROLES.includes(user.role),
      password: row.password,
    };
  }

  async put(user: AuthUser, body: PreferencesBody): Promise<Preferences> {
    if (!(await this.repository.setWeeklyMail(user.username, body.weeklyMail))) throw new NotFoundException('Brugeren findes ikke');
    return this.get(user);
  }
}
