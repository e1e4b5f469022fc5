import { BadRequestException, ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import type { AuthUser } from '../auth/auth.types';
import { userError, type NewUser } from '../auth/users';
import type { User } from '@bu/contracts';
import { UsersRepository } from './users.repository';

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

  async create(admin: AuthUser, body: Partial<NewUser> | undefined): Promise<{ username: string }> {
    const user: Partial<NewUser> = {
      username: body?.username,
      password: body?.password,
      role: body?.role,
      municipality: body?.municipality ?? admin.municipality,
      teams: body?.teams ?? [],
    };
    const problem = userError(user);
    if (problem) throw new BadRequestException(problem);
    if (admin.municipality !== null && user.municipality !== admin.municipality)
      throw new ForbiddenException(`Du kan kun oprette brugere i kommune ${admin.municipality}`);
    await this.inScope(admin, user.username!, true);
    await this.repository.save(user as NewUser);
    this.auth.users.forget(user.username!);
    return { username: user.username! };
  }

  async remove(admin: AuthUser, username: string): Promise<void> {
    if (username === admin.username) throw new BadRequestException('Du kan ikke slette dig selv');
    await this.inScope(admin, username, false);
    await this.repository.delete(username);
    this.auth.users.forget(username);
  }

  /** Disables or enables a user: a disabled user cannot log in, and its tokens stop working. */
  async setDisabled(admin: AuthUser, username: string, disabled: boolean): Promise<{ username: string; disabled: boolean }> {
    if (username === admin.username && disabled) throw new BadRequestException('Du kan ikke spærre dig selv');
    await this.inScope(admin, username, false);
    await this.repository.setDisabled(username, disabled);
    this.auth.users.forget(username);
    return { username, disabled };
  }

  /** An existing user must belong to the administrator's municipality (any, for a product administrator). */
  private async inScope(admin: AuthUser, username: string, mayBeNew: boolean): Promise<void> {
    const row = await this.repository.municipalityOf(username);
    if (!row) {
      if (mayBeNew) return;
      throw new NotFoundException(`Brugeren ${username} findes ikke`);
    }
    if (admin.municipality === null || row.municipality === admin.municipality) return;
    // Another municipality's user does not exist for this administrator; a new user cannot take the name.
    if (mayBeNew) throw new ConflictException(`Brugernavnet ${username} er optaget`);
    throw new NotFoundException(`Brugeren ${username} findes ikke`);
  }
}
