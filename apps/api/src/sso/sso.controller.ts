import { Body, Controller, Get, HttpCode, Inject, Post, UnauthorizedException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthProvidersSchema, LoginResponseSchema, SsoExchangeBodySchema, type LoginResponse } from '@bu/contracts';
import { Public } from '../auth/roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';
import { SsoService } from './sso.service';

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
  async exchange(@Body() body: { ticket: string }): Promise<LoginResponse> {
    const session = await this.sso.exchange(body.ticket);
    if (!session) throw new UnauthorizedException('Log ind-billetten er brugt eller udløbet. Log ind igen.');
    return session;
  }
}
