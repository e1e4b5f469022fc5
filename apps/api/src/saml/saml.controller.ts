import { Body, Controller, Get, Inject, Post, Res } from '@nestjs/common';
import { ApiConsumes, ApiFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SamlAcsBodySchema, type SamlAcsBody } from '@bu/contracts';
import { Public } from '../auth/roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';
import { SamlService } from './saml.service';

/** SAML 2.0 login (ADR 0054): metadata, the redirect to the identity provider, and its POST back. All public. */
@ApiTags('single sign-on')
@Controller({ version: '1' })
export class SamlController {
  constructor(@Inject(SamlService) private readonly saml: SamlService) {}

  @Public()
  @Get('auth/saml/metadata')
  @ApiProduces('application/xml')
  @ApiOkResponse({
    description: "The service provider's SAML metadata (entity id, ACS URL, signing certificate)",
    schema: { type: 'string' },
  })
  metadata(@Res() res: Response): void {
    res.type('application/xml').send(this.saml.metadata());
  }

  @Public()
  @Get('auth/saml/login')
  @ApiFoundResponse({ description: "To the identity provider's single sign-on URL with a new AuthnRequest" })
  async login(@Res() res: Response): Promise<void> {
    res.redirect(302, await this.saml.loginUrl());
  }

  /** The identity provider's HTTP-POST binding: a form with SAMLResponse (parsed on this route only, see SamlModule). */
  @Public()
  @Post('auth/saml/acs')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiFoundResponse({ description: 'To the web app with a one-time ticket; else a Danish page saying why not' })
  @Validate({ body: SamlAcsBodySchema })
  async acs(@Body() body: SamlAcsBody, @Res() res: Response): Promise<void> {
    await this.saml.consume(res, body.SAMLResponse);
  }
}
