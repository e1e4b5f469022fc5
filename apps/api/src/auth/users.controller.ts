import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { AuthUser } from './auth.types';
import { CurrentUser, Roles } from './roles.decorator';
import { AuthService } from './auth.service';
import { saveUser, setDisabled, userError, type NewUser } from './users';

interface UserRow {
  username: string;
  role: string;
  municipality: number | null;
  teams: string[];
  createdAt: string;
  disabled: boolean;
}

/**
 * The administrator manages the local users: an administrator of a municipality manages that
 * municipality's users; one without a municipality (a product administrator) manages everyone.
 * Passwords are never returned; single sign-on would replace the creation here, not the roles.
 */
@ApiTags('users')
@ApiBearerAuth()
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  @Get()
  @Roles('admin')
  list(@CurrentUser() admin: AuthUser): Promise<UserRow[]> {
    return this.db.query(
      `SELECT username, role, municipality_code AS municipality, teams, to_char(created_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS "createdAt", disabled
       FROM app_user WHERE NOT demo AND ($1::smallint IS NULL OR municipality_code = $1) ORDER BY username`,
      [admin.municipality],
    );
  }

  @Post()
  @Roles('admin')
  async create(@CurrentUser() admin: AuthUser, @Body() body: Partial<NewUser>): Promise<{ username: string }> {
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
    await saveUser((sql, params) => this.db.query(sql, params), user as NewUser);
    this.auth.users.forget(user.username!);
    return { username: user.username! };
  }

  @Delete(':username')
  @Roles('admin')
  @HttpCode(204)
  async remove(@CurrentUser() admin: AuthUser, @Param('username') username: string): Promise<void> {
    if (username === admin.username) throw new BadRequestException('Du kan ikke slette dig selv');
    await this.inScope(admin, username, false);
    await this.db.query('DELETE FROM app_user WHERE username = $1', [username]);
    this.auth.users.forget(username);
  }

  /** Disables or enables a user: a disabled user cannot log in, and its tokens stop working. */
  @Patch(':username')
  @Roles('admin')
  async update(
    @CurrentUser() admin: AuthUser,
    @Param('username') username: string,
    @Body() body: { disabled?: unknown },
  ): Promise<{ username: string; disabled: boolean }> {
    if (typeof body?.disabled !== 'boolean') throw new BadRequestException('disabled skal være true eller false');
    if (username === admin.username && body.disabled) throw new BadRequestException('Du kan ikke spærre dig selv');
    await this.inScope(admin, username, false);
    await setDisabled((sql, params) => this.db.query(sql, params), username, body.disabled);
    this.auth.users.forget(username);
    return { username, disabled: body.disabled };
  }

  /** An existing user must belong to the administrator's municipality (any, for a product administrator). */
  private async inScope(admin: AuthUser, username: string, mayBeNew: boolean): Promise<void> {
    const [row] = await this.db.query('SELECT municipality_code AS municipality FROM app_user WHERE username = $1', [username]);
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
