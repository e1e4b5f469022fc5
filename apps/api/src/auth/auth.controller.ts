import { Body, Controller, HttpCode, HttpException, Inject, Ip, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LoginResponseSchema, LogoutResponseSchema, PasswordChangeBodySchema } from '@bu/contracts';
import { openApiSchema } from '../validation/openapi-schema';
import type { CurrentUser as CurrentUserDto, LoginResponse, LogoutResponse, PasswordChangeBody } from '@bu/contracts';
import { AuthService, LOGIN_STEP, PASSWORD_CHECK, type SessionClaims } from './auth.service';
import type { AuthUser } from './auth.types';
import { CurrentSession, CurrentUser, DuringPasswordChange, Public } from './roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';

export function toCurrentUser(user: AuthUser, municipalities: number[]): CurrentUserDto {
  return {
    username: user.username,
    role: user.role,
    municipalities,
    teams: user.teams,
    ...(user.passwordChange ? { passwordChange: true } : {}),
  };
}

/** A new session as the API answers it: the token, and the user with the municipality they belong to. */
export function toLoginResponse({ token, user }: { token: string; user: AuthUser }): LoginResponse {
  return { token, user: toCurrentUser(user, user.municipality === null ? [] : [user.municipality]) };
}

/**
 * Copies what a refused login or password change says beside its message to where the audit hook
 * reads it: which step of the login it stopped at (a right password whose code is asked for, a
 * wrong code) or that a password check failed. (When to try again goes into the Retry-After
 * header by the global ErrorBodyFilter.)
 */
function noteRefusal(res: Response, error: unknown): never {
  const answer = error instanceof HttpException ? (error.getResponse() as { secondFactor?: string; [PASSWORD_CHECK]?: string }) : {};
  if (answer.secondFactor) res.locals[LOGIN_STEP] = answer.secondFactor;
  if (answer[PASSWORD_CHECK]) res.locals[PASSWORD_CHECK] = answer[PASSWORD_CHECK];
  throw error;
}

@ApiTags('auth')
@Controller({ version: '1' })
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiBody({
    schema: {
      properties: {
        username: { type: 'string' },
        password: { type: 'string' },
        code: { type: 'string', description: "The one-time code of the user's authenticator app, when the user has one (ADR 0116)" },
      },
      required: ['username', 'password'],
    },
  })
  @ApiOkResponse({ description: 'A bearer token for the Authorization header', schema: openApiSchema(LoginResponseSchema) })
  async login(
    @Body() body: { username?: string; password?: string; code?: string },
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    return toLoginResponse(
      await this.auth.login(body?.username ?? '', body?.password ?? '', ip, body?.code).catch((error: unknown) => noteRefusal(res, error)),
    );
  }

  /**
   * The caller's own new password (ADR 0117), required after an administrator gave one: the current
   * password again and the new one (at least 10 characters). Every other session of the user ends;
   * the answer is this browser's new session.
   */
  @Post('auth/password')
  @HttpCode(200)
  @ApiBearerAuth()
  @DuringPasswordChange()
  @Validate({ body: PasswordChangeBodySchema, response: LoginResponseSchema })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @CurrentSession() current: SessionClaims,
    @Body() body: PasswordChangeBody,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    return toLoginResponse(
      await this.auth.changePassword(user, current, body.password, body.newPassword, ip).catch((error: unknown) => noteRefusal(res, error)),
    );
  }

  /**
   * Ends every session of the caller: all of the user's tokens stop working (in every API process
   * within 60 s, here at once). After an OpenID Connect login the answer is 200 with the provider's
   * logout address, where the browser goes next so the provider's session ends too.
   */
  @Post('auth/logout')
  @ApiBearerAuth()
  @DuringPasswordChange()
  @ApiNoContentResponse({ description: 'Every token of the user is revoked' })
  @ApiOkResponse({ description: "Revoked; the browser goes on to the provider's logout", schema: openApiSchema(LogoutResponseSchema) })
  async logout(@CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { redirect } = await this.auth.logout(user.username, `${req.protocol}://${req.get('host')}`);
    if (redirect) res.status(200).json({ redirect } satisfies LogoutResponse);
    else res.status(204).end();
  }
}
