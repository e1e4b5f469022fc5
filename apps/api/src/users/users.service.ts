import { BadRequestException, ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import type { AuthUser } from '../auth/auth.types';
import { generatePassword, profileError, userError, type NewUser } from '../auth/users';
import type { PasswordReset, User, UserPatchBody } from '@bu/contracts';
import { UsersRepository, type StoredUser, type UserChange } from './users.repository';

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** An e-mail address as given (trimmed; empty: none), or 400 in Danish. */
function emailOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 254) throw new BadRequestException('Ugyldig e-mailadresse');
  const email = value.trim();
  if (email === '') return null;
  if (!EMAIL.test(email)) throw new BadRequestException(`Ugyldig e-mailadresse: ${email}`);
  return email;
}

/**
 * The administrator manages the local users: an administrator of a municipality manages that
 * municipality's users; one without a municipality (a product administrator) manages everyone.
 * Every change makes the auth cache forget the user, so its tokens see the change at once here.
 */
@Injectable()
export class UsersService {
  constructor(
    @Inject(UsersRepository) private readonly repository: UsersRepository,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  list(admin: AuthUser): Promise<User[]> {
    return this.repository.list(admin.municipality);
  }

  async create(admin: AuthUser, body: (Partial<NewUser> & { email?: unknown }) | undefined): Promise<{ username: string }> {
    const user: Partial<NewUser> = {
      username: body?.username,
      password: body?.password,
      role: body?.role,
      municipality: body?.municipality ?? admin.municipality,
      teams: body?.teams ?? [],
      // The administrator knows it: the user chooses their own at the first login (ADR 0117).
      temporary: true,
    };
    const problem = userError(user);
    if (problem) throw new BadRequestException(problem);
    const email = emailOf(body?.email);
    if (admin.municipality !== null && user.municipality !== admin.municipality)
      throw new ForbiddenException(`Du kan kun oprette brugere i kommune ${admin.municipality}`);
    // A new user only: creating over an existing name would give the administrator a password of a
    // colleague's account (a single sign-on user's too). Changes go through update, resets through resetPassword.
    if (await this.repository.find(user.username!)) throw new ConflictException(`Brugernavnet ${user.username} er optaget`);
    // Made meanwhile (a first single sign-on login, another administrator): the write itself refuses.
    if (!(await this.repository.save(user as NewUser, 'new'))) throw new ConflictException(`Brugernavnet ${user.username} er optaget`);
    if (email) await this.repository.update(user.username!, { email });
    this.auth.users.forget(user.username!);
    return { username: user.username! };
  }

  async remove(admin: AuthUser, username: string): Promise<void> {
    if (username === admin.username) throw new BadRequestException('Du kan ikke slette dig selv');
    await this.inScope(admin, username, false);
    await this.repository.delete(username);
    this.auth.users.forget(username);
  }

  /**
   * Changes role, teams, municipality (a product administrator only), e-mail or disabled. The
   * result must satisfy the rules of a new user (a team leader has teams; a role other than admin
   * has a municipality). A user from single sign-on gets role, municipality and teams from the group
   * mapping at each login: those are refused here. The database ends the user's tokens on a change
   * of role, municipality, teams or disabled.
   */
  async update(admin: AuthUser, username: string, body: UserPatchBody): Promise<{ username: string; disabled: boolean }> {
    const stored = await this.inScope(admin, username, false);
    const self = username === admin.username;
    if (self && body.disabled === true) throw new BadRequestException('Du kan ikke spærre dig selv');
    const profile = body.role !== undefined || body.teams !== undefined || body.municipality !== undefined;
    if (self && profile) throw new BadRequestException('Du kan ikke ændre din egen rolle, kommune eller dine egne teams');
    if (profile && stored.authSource !== 'local')
      throw new BadRequestException(
        'Brugeren logger ind med single sign-on: rolle, kommune og teams kommer fra gruppetilknytningen ved hvert login. Ret gruppetilknytningen i stedet.',
      );
    if (body.municipality !== undefined && body.municipality !== stored.municipality && admin.municipality !== null)
      throw new ForbiddenException('Kun en administrator for hele produktet kan flytte en bruger til en anden kommune');
    const change: UserChange = {};
    if (body.role !== undefined) change.role = body.role;
    if (body.municipality !== undefined) change.municipality = body.municipality;
    if (body.teams !== undefined) change.teams = [...new Set(body.teams.map((t) => t.trim()))];
    if (body.disabled !== undefined) change.disabled = body.disabled;
    if (body.email !== undefined) change.email = emailOf(body.email);
    if (profile) {
      const problem = profileError({
        role: change.role ?? stored.role,
        municipality: change.municipality !== undefined ? change.municipality : stored.municipality,
        teams: change.teams ?? stored.teams,
      });
      if (problem) throw new BadRequestException(problem.replace(/ \(--\w+\)/, ''));
    }
    await this.repository.update(username, change);
    this.auth.users.forget(username);
    return { username, disabled: change.disabled ?? stored.disabled };
  }

  /**
   * A new password, generated here and shown once to the administrator (ADR 0051); every token of
   * the user stops working, and the user replaces it at the next login (ADR 0117). Single sign-on
   * users have no password here.
   */
  async resetPassword(admin: AuthUser, username: string): Promise<PasswordReset> {
    if (username === admin.username) throw new BadRequestException('Du kan ikke nulstille din egen adgangskode her');
    const stored = await this.inScope(admin, username, false);
    if (stored.authSource !== 'local')
      throw new BadRequestException('Brugeren logger ind med single sign-on og har ingen adgangskode i Børneblik');
    const password = generatePassword();
    if (!(await this.repository.setPassword(username, password, true))) throw new NotFoundException(`Brugeren ${username} findes ikke`);
    this.auth.users.forget(username);
    return { username, password };
  }

  /** An existing user must belong to the administrator's municipality (any, for a product administrator). */
  private async inScope(admin: AuthUser, username: string, mayBeNew: true): Promise<void>;
  private async inScope(admin: AuthUser, username: string, mayBeNew: false): Promise<StoredUser>;
  private async inScope(admin: AuthUser, username: string, mayBeNew: boolean): Promise<StoredUser | void> {
    const row = await this.repository.find(username);
    if (!row) {
      if (mayBeNew) return;
      throw new NotFoundException(`Brugeren ${username} findes ikke`);
    }
    if (admin.municipality === null || row.municipality === admin.municipality) return row;
    // Another municipality's user does not exist for this administrator; a new user cannot take the name.
    if (mayBeNew) throw new ConflictException(`Brugernavnet ${username} er optaget`);
    throw new NotFoundException(`Brugeren ${username} findes ikke`);
  }
}
