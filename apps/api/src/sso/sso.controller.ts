import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { AuthProvidersSchema, LoginResponseSchema, SsoExchangeBodySchema, type LoginResponse } from '@bu/contracts';
import { Public } from '../auth/roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';
import { cookie } from './cookie';
import { BINDING_COOKIE, SsoService } from './sso.service';

/** The login page's organisation buttons, and the handover from a provider's callback to a session. */
@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class SsoController {
  constructor(@Inject(SsoService) private readonly sso: SsoService) {}

  @Public()
  @Get('providers')
  @Validate({ response: AuthProvidersSchema })
  providers() {
    return this.sso.listProviders();
  }

  /** The one-time ticket from the callback's redirect, for the same answer a password login gives. */
  @Public()
  @Post('sso/exchange')
  @HttpCode(200)
  @Validate({ body: SsoExchangeBodySchema, response: LoginResponseSchema })
  async exchange(@Body() body: { ticket: string }, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    const session = await this.sso.exchange(body.ticket, cookie(req.headers.cookie, BINDING_COOKIE));
    res.clearCookie(BINDING_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/api/v1/auth/sso' });
    if (!session) throw new UnauthorizedException('Log ind-billetten er brugt eller udløbet. Log ind igen.');
    return session;
  }
}
