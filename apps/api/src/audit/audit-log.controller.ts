import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditPageSchema, AuditQuerySchema, type AuditPage, type AuditQuery } from '@bu/contracts';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Roles } from '../auth/roles.decorator';
import { Validate } from '../validation/zod-validation.pipe';
import { AuditLogService } from './audit-log.service';

/** The audit log, for the administrator: who saw which cases, logins, refusals and changes. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller({ path: 'audit', version: '1' })
export class AuditLogController {
  constructor(@Inject(AuditLogService) private readonly service: AuditLogService) {}

  /** Newest first, searched by user, case and date range (days in Danish time), paged; each search is itself logged. */
  @Get()
  @Roles('admin')
  @Validate({ query: AuditQuerySchema, response: AuditPageSchema })
  search(@CurrentUser() user: AuthUser, @Query() query: AuditQuery): Promise<AuditPage> {
    return this.service.search(user, query);
  }
}
