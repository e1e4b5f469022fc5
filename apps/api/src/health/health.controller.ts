import { Controller, Get, Inject, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthResponseSchema, type HealthResponse } from '@bu/contracts';
import { Public } from '../auth/roles.decorator';
import { ApiResponseSchema } from '../validation/zod-validation.pipe';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(@Inject(HealthService) private readonly service: HealthService) {}

  @Public()
  @Get()
  @ApiResponseSchema(HealthResponseSchema)
  @ApiResponseSchema(HealthResponseSchema, 503)
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const health = await this.service.health();
    if (health.status !== 'ok') res.status(503);
    return health;
  }
}
