import { Controller, Get, Headers, Inject, NotFoundException, Res, UnauthorizedException, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { bearerMatches, METRICS_TOKEN_REFUSED } from '@bu/metrics';
import { Public } from '../auth/roles.decorator';
import { APP_CONFIG, AppConfig } from '../config';
import { MetricsService } from './metrics.service';

/**
 * GET /api/metrics for Prometheus (ADR 0094): only with `Authorization: Bearer <METRICS_TOKEN>`;
 * without METRICS_TOKEN set the route is not registered at all (404 as for any unknown path). Not a user's login: the scraper holds
 * no role, and the page holds no person's data.
 */
@ApiExcludeController()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(
    @Inject(MetricsService) private readonly service: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async metrics(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    // Registered only with METRICS_TOKEN set (AppModule); checked again, so a missing token never means open.
    const token = this.config.metricsToken;
    if (!token) throw new NotFoundException();
    if (!bearerMatches(authorization, token)) throw new UnauthorizedException(METRICS_TOKEN_REFUSED);
    const { contentType, body } = await this.service.text();
    res.status(200).type(contentType).set('Cache-Control', 'no-store').send(body);
  }
}
