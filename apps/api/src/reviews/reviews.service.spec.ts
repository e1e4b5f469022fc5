import { BadRequestException, ForbiddenException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { ScopeService } from '../municipalities/scope.service';
import type { CommitteeTexts } from '../municipalities/committee-texts.service';
import { fake, municipality, user, type Fake } from '../testing/fake';
import type { ResultRow, ReviewsRepository, RoundRow } from './reviews.repository';
import { ReviewsService } from './reviews.service';

const S = { suppressed: true };

// The rules of the case review service on fakes; test/api/reviews*.test.ts runs the whole over
// HTTP on a real database.
describe(ReviewsService.name, () => {
  let sut: ReviewsService;
  let repository: Fake<ReviewsRepository>;
  let scope: Fake<ScopeService>;
  let audit: Fake<AuditService>;
  const chief = user({ role: 'chef' });
  const leader = user({ role: 'teamleder', teams: ['Team Nord'] });
  const round: RoundRow = {
    id: 3,
    municipality: 101,
    title: 'Tilsyn',
    purpose: null,
    asOf: '2026-03-31',
    checklistVersion: 1,
    sampling: { kind: 'chosen' },
    requested: 1,
    found: 1,
    teams: null,
    createdBy: 'anna',
    createdAt: '2026-04-01T10:00:00',
  };
  const checklist = [
    { id: 'formal.talked_alone', kind: 'formal' as const, title: 'Talt alene' },
    { id: 'pro.fit', kind: 'professional' as const, title: 'Passer' },
  ];
  const row = {
    source: 'dubu',
    case: 'C1',
    caseworker: 'AA',
    team: 'Team Nord',
    chosen: true,
    forklaede: null,
    summary: null,
    learningQuestion: null,
    status: 'i_gang' as const,
  };

  beforeEach(() => {
    repository = fake<ReviewsRepository>();
    scope = fake<ScopeService>();
    audit = fake<AuditService>();
    scope.resolve.mockResolvedValue(municipality());
    repository.round.mockResolvedValue(round);
    repository.checklist.mockResolvedValue(checklist);
    repository.cases.mockResolvedValue([row]);
    repository.answers.mockResolvedValue([]);
    repository.updateCase.mockResolvedValue(undefined);
    audit.caseSet.mockResolvedValue('9');
    audit.event.mockResolvedValue(undefined);
    sut = new ReviewsService(repository as never, scope as never, audit as never, fake<CommitteeTexts>() as never);
  });

  it('refuses a team leader without teams everything, never showing every team', async () => {
    const orphan = user({ role: 'teamleder', teams: [] });
    await expect(sut.get(orphan, 3)).rejects.toBeInstanceOf(ForbiddenException);
    await expect(sut.list(orphan)).rejects.toBeInstanceOf(ForbiddenException);
    await expect(sut.results(orphan, {})).rejects.toBeInstanceOf(ForbiddenException);
    expect(repository.cases).not.toHaveBeenCalled();
  });

  it('draws no round while the municipality is half-way through a pseudonym key rotation', async () => {
    scope.resolve.mockResolvedValue(municipality({ pseudonymKeysMixed: true }));
    await expect(sut.create(chief, { title: 'T', sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } })).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    expect(repository.chosenCases).not.toHaveBeenCalled();
  });

  it("reads a team leader's cases within the own teams, and audits the read with the cases", async () => {
    await sut.get(leader, 3);
    expect(repository.cases).toHaveBeenCalledWith(3, ['Team Nord']);
    expect(audit.caseSet).toHaveBeenCalledWith(['C1']);
    expect(audit.event).toHaveBeenCalledWith(expect.objectContaining({ action: 'read:review', caseSetId: '9', detail: { review: 3 } }));
  });

  it("answers 404 for another municipality's round before reading any case", async () => {
    repository.round.mockResolvedValue(null);
    await expect(sut.get(chief, 3)).rejects.toThrow(new NotFoundException('Gennemgang 3 findes ikke'));
    expect(repository.round).toHaveBeenCalledWith(3, 101);
    expect(repository.cases).not.toHaveBeenCalled();
  });

  describe('updateCase', () => {
    it('saves a formal correction as the reviewer’s with its note, and null as back to the data', async () => {
      await sut.updateCase(chief, 3, 'C1', {
        items: [
          { id: 'formal.talked_alone', answer: 'ja', note: ' Journalnotat ' },
          { id: 'pro.fit', answer: 'delvist', note: '' },
        ],
      });
      expect(repository.updateCase).toHaveBeenCalledWith(3, 'C1', {
        status: undefined,
        forklaede: undefined,
        summary: undefined,
        learningQuestion: undefined,
        answers: [
          { id: 'formal.talked_alone', answer: 'ja', source: 'reviewer', note: 'Journalnotat' },
          { id: 'pro.fit', answer: 'delvist', source: 'reviewer', note: null },
        ],
        updatedBy: 'anna',
      });
      await sut.updateCase(chief, 3, 'C1', { items: [{ id: 'formal.talked_alone', answer: null, note: 'ignored' }], summary: '  ' });
      expect(repository.updateCase).toHaveBeenLastCalledWith(
        3,
        'C1',
        expect.objectContaining({ summary: null, answers: [{ id: 'formal.talked_alone', answer: null, source: 'data', note: null }] }),
      );
    });

    it.each([
      [
        { id: 'formal.talked_alone', answer: 'nej' as const },
        'En rettelse af det formelle punkt formal.talked_alone skal have en note, der siger hvorfor',
      ],
      [
        { id: 'formal.talked_alone', answer: 'delvist' as const, note: 'x' },
        'Et formelt punkt (formal.talked_alone) kan ikke besvares delvist',
      ],
      [{ id: 'pro.ukendt', answer: 'ja' as const }, 'Punktet pro.ukendt findes ikke i gennemgangens tjekliste'],
    ])('refuses %o with a Danish 400 and saves nothing', async (item, message) => {
      await expect(sut.updateCase(chief, 3, 'C1', { items: [item] })).rejects.toThrow(new BadRequestException(message));
      expect(repository.updateCase).not.toHaveBeenCalled();
    });

    it('refuses the same item twice', async () => {
      const items = [
        { id: 'pro.fit', answer: 'ja' as const },
        { id: 'pro.fit', answer: 'nej' as const },
      ];
      await expect(sut.updateCase(chief, 3, 'C1', { items })).rejects.toThrow(
        new BadRequestException('Punktet pro.fit er besvaret to gange'),
      );
    });
  });

  describe('results', () => {
    const r = (over: Partial<ResultRow>): ResultRow => ({
      team: 'Team Nord',
      caseworker: 'AA',
      quarter: '2026K1',
      id: 'pro.fit',
      kind: 'professional',
      position: 14,
      judged: 1,
      notMet: 0,
      ...over,
    });
    beforeEach(() => {
      repository.reviewedCases.mockResolvedValue(8);
      repository.actionAreasByStatus.mockResolvedValue({ planlagt: 2 });
      repository.itemTitles.mockResolvedValue({ 'pro.fit': 'Passer' });
      repository.results.mockResolvedValue([
        r({ judged: 3, notMet: 1 }),
        r({ caseworker: 'BB', quarter: '2026K2', judged: 4, notMet: 4 }),
        r({ id: 'formal.plan_on_time', kind: 'formal', position: 2, team: 'Æblehaven', caseworker: '', judged: 2, notMet: 2 }),
      ]);
    });

    it('sums per item (formal first) and per key, without ranking caseworkers', async () => {
      const res = await sut.results(chief, { from: '2026-01-01', to: '2026-06-30' });
      expect(repository.results).toHaveBeenCalledWith(101, '2026-01-01', '2026-06-30', null);
      expect(res.items).toEqual([
        { id: 'formal.plan_on_time', kind: 'formal', judged: 2, notMet: 2, share: 1 },
        { id: 'pro.fit', kind: 'professional', judged: 7, notMet: 5, share: 5 / 7 },
      ]);
      // Teams in Danish order (Æ after T); caseworkers by id, the one with more deficiencies not first.
      expect(Object.keys(res.byTeam!)).toEqual(['Team Nord', 'Æblehaven']);
      expect(Object.keys(res.byCaseworker!)).toEqual(['AA', 'BB']);
      expect(res.topDeficiencies).toEqual([
        { id: 'pro.fit', notMet: 5 },
        { id: 'formal.plan_on_time', notMet: 2 },
      ]);
    });

    it('moves the committee to whole months and suppresses the quarters as parts of their total', async () => {
      const res = await sut.results(user({ role: 'udvalg' }), { from: '2026-01-15', to: '2026-06-20' });
      expect(res).toMatchObject({ from: '2026-01-01', to: '2026-05-31', reviewedCases: 8 });
      expect(res.byTeam).toBeUndefined();
      expect(res.byCaseworker).toBeUndefined();
      // pro.fit 2026K1: judged 3 (small) and, as the smallest other part of the same total, K2's 4 too.
      expect(res.byQuarter['2026K1']).toContainEqual({
        id: 'pro.fit',
        kind: 'professional',
        judged: { suppressed: true },
        notMet: { suppressed: true },
        share: { suppressed: true },
      });
      // 7 judged of 8 reviewed: the 1 the item did not concern would follow, so the 7 is withheld; and
      // 5 not met of the 7 would give away the 2 that met, so the 5 is withheld too (the top list
      // does not name it either).
      expect(res.items).toContainEqual({ id: 'pro.fit', kind: 'professional', judged: S, notMet: S, share: S });
      expect(res.topDeficiencies).toEqual([]);
    });

    it("withholds the committee's not-met count when the met rest is a small cell, and shows it when it is not", async () => {
      repository.results.mockResolvedValue([r({ judged: 7, notMet: 5 }), r({ id: 'pro.help', position: 15, judged: 12, notMet: 5 })]);
      repository.reviewedCases.mockResolvedValue(20);
      const res = await sut.results(user({ role: 'udvalg' }), { from: '2026-01-01', to: '2026-06-30' });
      expect(res.items).toEqual([
        { id: 'pro.fit', kind: 'professional', judged: 7, notMet: S, share: S },
        { id: 'pro.help', kind: 'professional', judged: 12, notMet: 5, share: 5 / 12 },
      ]);
      expect(res.topDeficiencies).toEqual([{ id: 'pro.help', notMet: 5 }]);
    });

    it('leaves the committee no small cell to work out, of an item or of its quarters, met, not met or not concerned', async () => {
      const quarters = ['2026K1', '2026K2', '2026K3'];
      const small = (n: number): boolean => n >= 1 && n <= 4;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(...quarters), fc.nat({ max: 12 }), fc.nat({ max: 12 })), { minLength: 1, maxLength: 6 }),
          // The reviewed cases: the judged ones and some the item did not concern.
          fc.nat({ max: 6 }),
          async (cells, unconcerned) => {
            repository.results.mockResolvedValue(
              cells.map(([quarter, a, b]) => r({ quarter, judged: Math.max(a, b), notMet: Math.min(a, b) })),
            );
            repository.reviewedCases.mockResolvedValue(cells.reduce((n, [, a, b]) => n + Math.max(a, b), 0) + unconcerned);
            const res = await sut.results(user({ role: 'udvalg' }), { from: '2026-01-01', to: '2026-12-31' });
            // Everything that follows from what is shown: judged = not met + met, for the item and each
            // quarter, and the item's counts are the sums of its quarters'. Solved while some equation
            // has one unknown left; nothing known may be a small cell.
            const known = new Map<string, number>();
            const put = (k: string, v: unknown): void => void (typeof v === 'number' && known.set(k, v));
            const item = res.items[0];
            put('reviewed', res.reviewedCases);
            put('judged', item.judged);
            put('notMet', item.notMet);
            const qs = Object.entries(res.byQuarter).flatMap(([q, ts]) => ts.map((t) => [q, t] as const));
            for (const [q, t] of qs) {
              put(`judged.${q}`, t.judged);
              put(`notMet.${q}`, t.notMet);
            }
            const names = qs.map(([q]) => q);
            // [sum, parts]: sum = parts added up.
            const equations: [string, string[]][] = [
              ['reviewed', ['judged', 'unconcerned']],
              ['judged', ['notMet', 'met']],
              ...names.map((q): [string, string[]] => [`judged.${q}`, [`notMet.${q}`, `met.${q}`]]),
              ...['judged', 'notMet', 'met'].map((k): [string, string[]] => [k, names.map((q) => `${k}.${q}`)]),
            ];
            for (let progress = true; progress;) {
              progress = false;
              for (const [sum, parts] of equations) {
                const unknown = [sum, ...parts].filter((k) => !known.has(k));
                if (unknown.length !== 1) continue;
                const partsKnown = parts.filter((k) => known.has(k)).reduce((a, k) => a + known.get(k)!, 0);
                known.set(unknown[0], unknown[0] === sum ? partsKnown : known.get(sum)! - partsKnown);
                progress = true;
              }
            }
            for (const [k, v] of known) expect(small(v), `${k} = ${v} follows from the answer`).toBe(false);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('refuses a period that ends before it starts', async () => {
      await expect(sut.results(chief, { from: '2026-05-01', to: '2026-04-30' })).rejects.toThrow(
        new BadRequestException('from (01.05.2026) skal ligge før to (30.04.2026)'),
      );
    });
  });
});
