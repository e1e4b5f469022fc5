import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  KpiResponseSchema,
  KpisQuerySchema,
  SeriesQuerySchema,
  SeriesResponseSchema,
  type KpisQuery,
  type SeriesQuery,
  type SeriesResponse,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';
import { ARROW_STREAM } from './arrow';
import { KpiService } from './kpi.service';

@ApiTags('kpis')
@ApiBearerAuth()
@Controller({ path: 'kpis', version: '1' })
export class KpiController {
  constructor(@Inject(KpiService) private readonly service: KpiService) {}

  /** KPI values for one municipality, D and P; lists as JSON pages, or one tabular KPI as Arrow. */
  @Get()
  @ApiProduces('application/json', ARROW_STREAM)
  @Validate({ query: KpisQuerySchema, response: KpiResponseSchema })
  async kpis(
    @CurrentUser() user: AuthUser,
    // Not passthrough: the cached bytes are written with one res.end (a StreamableFile pipes a stream
    // in 64 KB pieces, which for a 1 MB answer cost more than the rest of a warm request).
    @Res() res: Response,
    @Headers('accept') accept: string | undefined,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Query() query: KpisQuery,
  ): Promise<void> {
    const { headers, body } = await this.service.kpis(user, query, accept, acceptEncoding);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.status(200).end(body);
  }

  /** The same KPI over time, per month or year, the last point ending at the as-of date. */
  @Get(':id/series')
  @Validate({ query: SeriesQuerySchema, response: SeriesResponseSchema })
  async series(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() query: SeriesQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SeriesResponse> {
    const { body, hit } = await this.service.series(user, id, query);
    // Where the points came from: all from this process's cache, or some computed for this request.
    res.setHeader('X-Kpi-Cache', hit ? 'hit' : 'miss');
    return body;
  }
}
