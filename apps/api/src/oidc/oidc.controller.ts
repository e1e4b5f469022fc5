import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { OidcService } from './oidc.service';

/** OpenID Connect login: public, as the person is not logged in yet (the answers are redirects or Danish pages). */
@ApiTags('auth')
@Controller({ path: 'auth/oidc', version: '1' })
export class OidcController {
  constructor(@Inject(OidcService) private readonly oidc: OidcService) {}

  @Public()
  @Get('login')
  @ApiFoundResponse({ description: "To the provider's authorization endpoint (404 when OpenID Connect is not set up)" })
  login(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.oidc.login(req, res);
  }

  @Public()
  @Get('callback')
  @ApiFoundResponse({ description: 'To the web app with a one-time ticket; a refusal is a Danish page' })
  callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.oidc.callback(req, res);
  }
}
