import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateUserBodySchema,
  PasswordResetSchema,
  UserPatchBodySchema,
  UserSchema,
  type PasswordReset,
  type User,
  type UserPatchBody,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import type { NewUser } from '../auth/users';
import { Validate } from '../validation/zod-validation.pipe';
import { UsersService } from './users.service';

/** The local users, managed by administrators (passwords are never returned). */
@ApiTags('users')
@ApiBearerAuth()
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(@Inject(UsersService) private readonly service: UsersService) {}

  @Get()
  @Roles('admin')
  @Validate({ response: z.array(UserSchema) })
  list(@CurrentUser() admin: AuthUser): Promise<User[]> {
    return this.service.list(admin);
  }

  @Post()
  @Roles('admin')
  @Validate({ body: CreateUserBodySchema, response: z.object({ username: z.string() }), status: 201 })
  create(@CurrentUser() admin: AuthUser, @Body() body: Partial<NewUser> & { email?: unknown }): Promise<{ username: string }> {
    return this.service.create(admin, body);
  }

  @Delete(':username')
  @Roles('admin')
  @HttpCode(204)
  remove(@CurrentUser() admin: AuthUser, @Param('username') username: string): Promise<void> {
    return this.service.remove(admin, username);
  }

  /**
   * Changes role, teams, municipality (a product administrator only), e-mail, or disables and
   * enables a user: a disabled user cannot log in, and its tokens stop working, as after any
   * change of role, municipality or teams.
   */
  @Patch(':username')
  @Roles('admin')
  @Validate({ body: UserPatchBodySchema, response: z.object({ username: z.string(), disabled: z.boolean() }) })
  update(
    @CurrentUser() admin: AuthUser,
    @Param('username') username: string,
    @Body() body: UserPatchBody,
  ): Promise<{ username: string; disabled: boolean }> {
    return this.service.update(admin, username, body);
  }

  /** A new, generated password, shown once in this answer; the user's tokens stop working. */
  @Post(':username/password')
  @Roles('admin')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Validate({ response: PasswordResetSchema })
  resetPassword(@CurrentUser() admin: AuthUser, @Param('username') username: string): Promise<PasswordReset> {
    return this.service.resetPassword(admin, username);
  }
}
