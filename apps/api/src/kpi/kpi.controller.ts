import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SeriesResponse } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/roles.decorator';
import { KpiService, type KpisParams, type SeriesParams } from './kpi.service';

@ApiTags('kpis')
@ApiBearerAuth()
@Controller({ path: 'kpis', version: '1' })
export class KpiController {
  constructor(@Inject(KpiService) private readonly service: KpiService) {}

  @Get()
  @ApiQuery({ name: 'municipality', required: false, description: "Kommunekode; default the user's own" })
  @ApiQuery({ name: 'asOf', required: false, description: 'As-of date D; default the newest export date' })
  @ApiQuery({ name: 'from', required: false, description: "Period start; default 1 January of D's year" })
  @ApiQuery({ name: 'to', required: false, description: 'Period end; default D' })
  @ApiQuery({ name: 'ids', required: false, description: 'Comma-separated KPI ids; default every KPI the role may read' })
  @ApiQuery({ name: 'group', required: false, description: 'Benchmarks: comma-separated municipality codes to compare with; default all' })
  @ApiQuery({ name: 'groupId', required: false, description: 'Benchmarks: a saved comparison group of the municipality' })
  @ApiQuery({
    name: 'sort',
    required: false,
    description: 'Lists: comma-separated fields, "-" first for descending, e.g. -daysOverdue,case',
  })
  @ApiQuery({
    name: 'filter',
    required: false,
    description: 'Lists: field:value, repeatable; field: (empty) matches rows without a value, e.g. worker:',
  })
  @ApiQuery({ name: 'offset', required: false, description: 'Lists: rows to skip; default 0' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: 'Lists: rows per page, 1-1000; without it at most 1000 rows, `truncated: true` when cut',
  })
  async kpis(
    @CurrentUser() user: AuthUser,
    // Not passthrough: the cached bytes are written with one res.end (a StreamableFile pipes a stream
    // in 64 KB pieces, which for a 1 MB answer cost more than the rest of a warm request).
    @Res() res: Response,
    @Headers('accept') accept: string | undefined,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Query() query: KpisParams,
  ): Promise<void> {
    const { headers, body } = await this.service.kpis(user, query, accept, acceptEncoding);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.status(200).end(body);
  }

  /** The same KPI over time, per month or year, the last point ending at the as-of date. */
  @Get(':id/series')
  @ApiQuery({ name: 'by', required: false, enum: ['month', 'year'] })
  @ApiQuery({ name: 'from', required: false, description: 'First period start; default 24 months or 5 years before the as-of date' })
  series(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: SeriesParams): Promise<SeriesResponse> {
    return this.service.series(user, id, query);
  }
}
