import { Controller, Get, Inject, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthResponseSchema } from '@bu/contracts';
import { ApiResponseSchema } from '../validation/zod-validation.pipe';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { HealthResponse } from '@bu/contracts';
import { queueBackendKind, type Queue } from '@bu/queue';
import { APP_CONFIG, AppConfig } from '../config';
import { Public } from '../auth/roles.decorator';
import { ETL_QUEUE_TOKEN } from '../queue/queue.module';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

@ApiTags('health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ETL_QUEUE_TOKEN) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiResponseSchema(HealthResponseSchema)
  @ApiResponseSchema(HealthResponseSchema, 503)
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const database = await withTimeout(this.db.query('SELECT 1'), 2000).then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const queue = await withTimeout(this.queue.getJobCounts('active', 'waiting', 'failed'), 2000).then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const status = database === 'up' && queue === 'up' ? 'ok' : 'degraded';
    if (status !== 'ok') res.status(503);
    return { status, database, queue: { backend: queueBackendKind(this.config), status: queue } };
  }
}
