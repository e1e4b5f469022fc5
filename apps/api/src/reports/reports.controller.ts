import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import {
  JobQueuedSchema,
  MakeReportBodySchema,
  MunicipalityQuerySchema,
  ReportScheduleBodySchema,
  ReportScheduleSchema,
  ReportSchema,
  type MakeReportBody,
  type MunicipalityQuery,
  type ReportScheduleBody,
} from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { municipalityParam } from '../municipalities/municipality-param';
import { Validate } from '../validation/zod-validation.pipe';
import { ReportsService } from './reports.service';

/** The committee's monthly report: its archive (committee, chief, admin) and its schedule (admin). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller({ path: 'reports', version: '1' })
export class ReportsController {
  constructor(@Inject(ReportsService) private readonly service: ReportsService) {}

  @Get()
  @Roles('udvalg', 'chef', 'admin')
  @Validate({ query: MunicipalityQuerySchema, response: z.array(ReportSchema) })
  list(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.list(user, municipalityParam(query.municipality));
  }

  @Post()
  @Roles('admin')
  @HttpCode(202)
  @Validate({ body: MakeReportBodySchema, response: JobQueuedSchema, status: 202 })
  make(@CurrentUser() user: AuthUser, @Body() body: MakeReportBody) {
    return this.service.make(user, body);
  }

  @Get('schedule')
  @Roles('admin')
  @Validate({ query: MunicipalityQuerySchema, response: ReportScheduleSchema })
  schedule(@CurrentUser() user: AuthUser, @Query() query: MunicipalityQuery) {
    return this.service.schedule(user, municipalityParam(query.municipality));
  }

  @Put('schedule')
  @Roles('admin')
  @Validate({ body: ReportScheduleBodySchema, response: ReportScheduleSchema })
  saveSchedule(@CurrentUser() user: AuthUser, @Body() body: ReportScheduleBody) {
    return this.service.saveSchedule(user, body);
  }

  /** The report itself (A4 PDF), opened in the browser. */
  @Get(':id/pdf')
  @Roles('udvalg', 'chef', 'admin')
  @ApiProduces('application/pdf')
  async pdf(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const { filename, pdf } = await this.service.pdf(user, id);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.status(200).end(pdf);
  }
}
