import { BadRequestException, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { AuditPage, AuditQuery } from '@bu/contracts';
import { isMunicipalityCode, maskCprLike } from '@bu/domain';
import type { AuthUser } from '../auth/auth.types';
import { AuditLogRepository } from './audit-log.repository';
import { AuditService } from './audit.service';

/**
 * The audit log as the administrator reads it: searched by user, case and date, paged, within the
 * administrator's municipality (a product administrator: every municipality, or the one asked
 * for). Reading the log is itself written to it (ADR 0051): who searched for what, before the answer.
 */
@Injectable()
export class AuditLogService {
  constructor(
    @Inject(AuditLogRepository) private readonly repository: AuditLogRepository,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async search(user: AuthUser, query: AuditQuery): Promise<AuditPage> {
    if (query.from && query.to && query.from > query.to) throw new BadRequestException('Fra-datoen skal ligge før eller på til-datoen');
    let municipality = user.municipality;
    if (query.municipality) {
      const asked = Number(query.municipality);
      if (!isMunicipalityCode(asked)) throw new BadRequestException(`Ukendt kommunekode: ${query.municipality}`);
      if (user.municipality !== null && asked !== user.municipality) throw new ForbiddenException(`Ingen adgang til kommune ${asked}`);
      municipality = asked;
    }
    const page = Math.max(Number(query.page), 1);
    const pageSize = Math.min(Math.max(Number(query.pageSize), 1), 1000);
    const filters = {
      user: query.user?.trim() || null,
      case: query.case?.trim() || null,
      from: query.from ?? null,
      to: query.to ?? null,
    };
    const { total, rows } = await this.repository.search({
      municipality,
      username: filters.user,
      case: filters.case,
      from: filters.from,
      to: filters.to,
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    // Written before the answer is sent: an answer is never read without its row. The page shows
    // case numbers (who saw which case): they are the row's set of cases, as for any case list.
    const cases = [...new Set(rows.flatMap((r) => r.cases))].sort();
    await this.audit.event({
      username: user.username,
      role: user.role,
      action: 'read:audit',
      municipality: user.municipality,
      caseSetId: await this.audit.caseSet(cases),
      // A CPR number typed into a filter is not kept (no username or case number may look like one).
      detail: {
        ...filters,
        user: filters.user && maskCprLike(filters.user),
        case: filters.case && maskCprLike(filters.case),
        municipality,
        page,
        pageSize,
      },
    });
    return { total, page, pageSize, rows };
  }
}
