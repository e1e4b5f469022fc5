import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditQuery } from '@bu/contracts';
import { fake, user, type Fake } from '../testing/fake';
import type { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';
import type { AuditService } from './audit.service';

describe(AuditLogService.name, () => {
  let sut: AuditLogService;
  let repository: Fake<AuditLogRepository>;
  let audit: Fake<AuditService>;
  const admin = user({ username: 'admin101', role: 'admin', municipality: 101 });
  const national = user({ username: 'root', role: 'admin', municipality: null });
  const query = (q: Partial<AuditQuery> = {}): AuditQuery => ({ page: '1', pageSize: '100', ...q });

  beforeEach(() => {
    repository = fake<AuditLogRepository>();
    audit = fake<AuditService>();
    repository.search.mockResolvedValue({ total: 0, rows: [] });
    audit.caseSet.mockResolvedValue(null);
    audit.event.mockResolvedValue(undefined);
    sut = new AuditLogService(repository as never, audit as never);
  });

  it("searches the administrator's municipality only, with the filters trimmed and the page as offset", async () => {
    await expect(sut.search(admin, query({ user: ' eva ', case: 'S1', from: '2024-01-01', page: '3', pageSize: '20' }))).resolves.toEqual({
      total: 0,
      page: 3,
      pageSize: 20,
      rows: [],
    });
    expect(repository.search).toHaveBeenCalledWith({
      municipality: 101,
      username: 'eva',
      case: 'S1',
      from: '2024-01-01',
      to: null,
      offset: 40,
      limit: 20,
    });
  });

  it('writes the search, with the cases its page shows, to the audit log before it answers', async () => {
    const row = (cases: string[]) => ({ cases }) as never;
    repository.search.mockResolvedValue({ total: 3, rows: [row(['S9', 'S2']), row([]), row(['S2'])] });
    audit.caseSet.mockResolvedValue('44');
    let written!: () => void;
    audit.event.mockReturnValue(new Promise<void>((resolve) => (written = resolve)));
    let answered = false;
    const search = sut.search(admin, query({ case: 'S9' })).then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 20));
    // No answer until its row is written.
    expect(audit.event).toHaveBeenCalled();
    expect(answered).toBe(false);
    written();
    await search;
    expect(audit.caseSet).toHaveBeenCalledWith(['S2', 'S9']);
    expect(audit.event).toHaveBeenCalledWith({
      username: 'admin101',
      role: 'admin',
      action: 'read:audit',
      municipality: 101,
      caseSetId: '44',
      detail: { user: null, case: 'S9', from: null, to: null, municipality: 101, page: 1, pageSize: 100 },
    });
  });

  it("refuses another municipality to a municipality's administrator; a product administrator may choose one", async () => {
    await expect(sut.search(admin, query({ municipality: '147' }))).rejects.toBeInstanceOf(ForbiddenException);
    await sut.search(national, query({ municipality: '147' }));
    expect(repository.search).toHaveBeenCalledWith(expect.objectContaining({ municipality: 147 }));
    await sut.search(national, query());
    expect(repository.search).toHaveBeenLastCalledWith(expect.objectContaining({ municipality: null }));
  });

  it('refuses a period backwards and an unknown municipality in Danish, and caps the page size at 1000', async () => {
    await expect(sut.search(admin, query({ from: '2024-02-01', to: '2024-01-01' }))).rejects.toThrow(
      new BadRequestException('Fra-datoen skal ligge før eller på til-datoen'),
    );
    await expect(sut.search(national, query({ municipality: '999' }))).rejects.toThrow(new BadRequestException('Ukendt kommunekode: 999'));
    await sut.search(admin, query({ pageSize: '5000', page: '0' }));
    expect(repository.search).toHaveBeenCalledWith(expect.objectContaining({ offset: 0, limit: 1000 }));
  });
});
