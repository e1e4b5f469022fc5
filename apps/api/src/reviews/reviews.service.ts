import { BadRequestException, ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomInt } from 'crypto';
import type {
  ActionArea,
  ActionAreaBody,
  Checklist,
  ChecklistBody,
  Review,
  ReviewBody,
  ReviewCase,
  ReviewCaseBody,
  ReviewCaseDetail,
  ReviewExample,
  ReviewExampleBody,
  ReviewItem,
  ReviewMeeting,
  ReviewItemResult,
  ReviewMeetingBody,
  ReviewResults,
  ReviewResultsQuery,
  ReviewSummary,
} from '@bu/contracts';
import { committeeDates, copenhagenDate, parseLegalBasis } from '@bu/domain';
import { FORMAL_ITEM_IDS, isSmallCell, kpiById, SUPPRESSED, suppressCount, suppressParts, type Suppressed } from '@bu/kpi';
import type { CaseFacts, FormalItemId, Sample, SampleScope } from '@bu/kpi';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth.types';
import { CommitteeTexts, type NamedText } from '../municipalities/committee-texts.service';
import { refuseMixedKeys, ScopeService } from '../municipalities/scope.service';
import {
  ReviewsRepository,
  type ActionAreaWrite,
  type AnswerRow,
  type CaseChange,
  type CaseRow,
  type ChecklistItemRow,
  type MeetingRow,
  type ResultRow,
  type RoundRow,
} from './reviews.repository';

/** dd.mm.åååå, as the UI shows dates. */
const danishDate = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

/**
 * Case review rounds (ledelsestilsyn and sagsgennemgang): drawing, the checklist's answers and
 * access. The team leader works within the own teams (cases by their team at the round's date),
 * the chief within the municipality; another municipality's round or case does not exist (404).
 * Every answer that carries review notes is audited with its cases, like the work lists.
 */
@Injectable()
export class ReviewsService {
  constructor(
    @Inject(ReviewsRepository) private readonly repository: ReviewsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(CommitteeTexts) private readonly committeeTexts: CommitteeTexts,
  ) {}

  async create(user: AuthUser, body: ReviewBody): Promise<Review> {
    const teams = teamScope(user);
    const m = await this.scope.resolve(user, body.municipality);
    if (!m.exportDate) throw new BadRequestException(`Kommune ${m.code} har ingen sagsdata endnu: der er intet at gennemgå`);
    // The formal items link a case to its child's other records by person id, as the KPIs do.
    refuseMixedKeys(m);
    const asOf = body.asOf ?? m.exportDate;
    if (asOf > m.exportDate)
      throw new BadRequestException(`Gennemgangens dato kan ikke ligge efter de nyeste data (${danishDate(m.exportDate)})`);
    const version = body.checklistVersion ?? (await this.repository.latestChecklist(m.code));
    const checklist = version === null ? [] : await this.repository.checklist(version, m.code);
    if (version === null || checklist.length === 0) throw new BadRequestException(`Tjekliste version ${version ?? ''} findes ikke`.trim());
    const settings = await this.repository.settings(m.code);
    const scope: SampleScope = { municipality: m.code, asOf, teams: teams ?? undefined, settings };

    const sampling = body.sampling;
    let sample: Sample;
    let stored: Record<string, unknown>;
    const forklaede = new Map<string, string | null>();
    if (sampling.kind === 'chosen') {
      const wanted = sampling.cases.map((c) => c.case);
      const found = await this.repository.chosenCases(scope, wanted);
      const byCase = new Map(found.map((c) => [c.case, c]));
      // A case of another municipality, or of another team for a team leader, does not exist here.
      const missing = wanted.find((c) => !byCase.has(c));
      if (missing !== undefined) throw new NotFoundException(`Sag ${missing} findes ikke`);
      const late = found.find((c) => !c.openedByD);
      if (late) throw new BadRequestException(`Sag ${late.case} var ikke oprettet på gennemgangens dato ${danishDate(asOf)}`);
      for (const c of sampling.cases) forklaede.set(c.case, c.forklaede?.trim() || null);
      sample = { requested: wanted.length, cases: wanted.map((c) => byCase.get(c)!) };
      stored = { kind: 'chosen', cases: wanted };
    } else {
      const seed = sampling.seed ?? randomInt(0, 2147483647);
      const skip = await this.repository.reviewedSince(m.code, asOf);
      if (sampling.kind === 'random_per_caseworker') {
        sample = await this.repository.samplePerCaseworker(scope, sampling.perCaseworker, seed, skip);
        stored = { kind: sampling.kind, perCaseworker: sampling.perCaseworker, seed };
      } else if (sampling.kind === 'random_by_family') {
        sample = await this.repository.sampleByFamily(scope, sampling.family, sampling.count, seed, skip);
        stored = { kind: sampling.kind, family: sampling.family, count: sampling.count, seed };
      } else {
        // As the ETL writes measure.paragraph: "BL § 46", "SEL § 52, stk. 3, nr. 7".
        const paragraph = parseLegalBasis(sampling.paragraph)!.text;
        sample = await this.repository.sampleByParagraph(scope, paragraph, sampling.count, seed, skip);
        stored = { kind: sampling.kind, paragraph, count: sampling.count, seed };
      }
    }

    const cases = sample.cases.map((c, i) => ({
      source: c.source,
      case: c.case,
      position: i + 1,
      caseworker: c.caseworker,
      team: c.team,
      chosen: sampling.kind === 'chosen',
      forklaede: forklaede.get(c.case) ?? null,
    }));
    const formal = await this.repository.formalAnswers(m.code, asOf, cases, settings);
    const answers: AnswerRow[] = cases.flatMap((c) =>
      checklist.map((item): AnswerRow => {
        const data = item.kind === 'formal' ? (formal[c.case]?.[item.id as FormalItemId] ?? null) : null;
        return {
          case: c.case,
          id: item.id,
          answer: data,
          dataAnswer: data,
          source: item.kind === 'formal' ? 'data' : 'reviewer',
          note: null,
        };
      }),
    );
    const id = await this.repository.createRound({
      municipality: m.code,
      title: body.title.trim(),
      purpose: body.purpose?.trim() || null,
      asOf,
      checklistVersion: version,
      sampling: stored,
      requested: sample.requested,
      teams,
      createdBy: user.username,
      cases,
      answers,
    });
    // Audited as a read: the answer shows the drawn cases (case numbers, caseworkers, the data's
    // answers), which the audit hook's row of the change does not name.
    return this.get(user, id);
  }

  async list(user: AuthUser, municipality?: number): Promise<ReviewSummary[]> {
    const teams = teamScope(user);
    const m = await this.scope.resolve(user, municipality);
    const rows = await this.repository.rounds(m.code, teams);
    // A hand-chosen round's case numbers are not in the list (a team leader would learn other
    // teams'; anyone's read of them would go unaudited): the round itself shows them, audited.
    return rows.map(({ teams: _teams, ...r }) => ({ ...r, sampling: withoutCases(r.sampling) }));
  }

  /** The round with the cases the caller may see, audited as a read of review notes. */
  async get(user: AuthUser, id: number, audited = true): Promise<Review> {
    const { round, checklist, cases: rows } = await this.visibleRound(user, id);
    const teams = teamScope(user);
    const answers = await this.repository.answers(
      id,
      rows.map((r) => r.case),
    );
    if (audited)
      await this.recordRead(
        user,
        round,
        rows.map((r) => r.case),
      );
    const { teams: _teams, ...fields } = round;
    return {
      ...fields,
      sampling: visibleSampling(round.sampling, teams ? new Set(rows.map((r) => r.case)) : null),
      notice: notice(round),
      checklist,
      cases: rows.map((r) => toCase(r, checklist, answers)),
    };
  }

  /**
   * One case of the round with the facts the product has at the round's date, audited. The child's
   * investigations, plans and conversations come from all the child's cases (the formal items are
   * the child's); another case's number (and its records' ids, which may hold it) is shown to the
   * chief, but not to a team leader, whose teams the other case need not be. Either way the read is
   * audited with every case whose records it shows.
   */
  async getCase(user: AuthUser, id: number, caseId: string): Promise<ReviewCaseDetail> {
    const { round, checklist } = await this.visibleRound(user, id);
    const row = await this.visibleCase(user, id, caseId);
    const settings = await this.repository.settings(round.municipality);
    const found = await this.repository.caseFacts(round.municipality, round.asOf, row.source, row.case, settings);
    if (!found) throw new NotFoundException(`Sagen findes ikke i gennemgang ${id}`);
    const facts = teamScope(user) ? withoutOtherCases(found, row.case) : found;
    const answers = await this.repository.answers(id, [row.case]);
    await this.recordRead(user, round, casesIn(found, row.case));
    return { round: id, asOf: round.asOf, review: toCase(row, checklist, answers), checklist, facts };
  }

  /** Saves the reviewer's answers, texts and status for a case; the case as it is now. */
  async updateCase(user: AuthUser, id: number, caseId: string, body: ReviewCaseBody): Promise<ReviewCase> {
    const { round, checklist } = await this.visibleRound(user, id);
    const row = await this.visibleCase(user, id, caseId);
    const kinds = new Map(checklist.map((i) => [i.id, i.kind]));
    const seen = new Set<string>();
    const changes: CaseChange['answers'] = (body.items ?? []).map((item) => {
      const kind = kinds.get(item.id);
      if (!kind) throw new BadRequestException(`Punktet ${item.id} findes ikke i gennemgangens tjekliste`);
      if (seen.has(item.id)) throw new BadRequestException(`Punktet ${item.id} er besvaret to gange`);
      seen.add(item.id);
      const note = item.note?.trim() || null;
      if (kind === 'professional') return { id: item.id, answer: item.answer, source: 'reviewer', note };
      // A formal item: null goes back to the data's answer; a correction needs a note saying why.
      if (item.answer === null) return { id: item.id, answer: null, source: 'data', note: null };
      if (item.answer === 'delvist') throw new BadRequestException(`Et formelt punkt (${item.id}) kan ikke besvares delvist`);
      if (!note) throw new BadRequestException(`En rettelse af det formelle punkt ${item.id} skal have en note, der siger hvorfor`);
      return { id: item.id, answer: item.answer, source: 'reviewer', note };
    });
    await this.repository.updateCase(id, row.case, {
      status: body.status,
      forklaede: text(body.forklaede),
      summary: text(body.summary),
      learningQuestion: text(body.learningQuestion),
      answers: changes,
      updatedBy: user.username,
    });
    const [after] = await this.repository.cases(id, null, row.case);
    const answers = await this.repository.answers(id, [row.case]);
    // The answer shows the case's notes: audited with its case, as a read of it is.
    await this.recordRead(user, round, [row.case]);
    return toCase(after, checklist, answers);
  }

  /**
   * The round's dialogue meetings the caller may read (a team leader: on a round the team leader
   * sees, those whose discussed cases are all the own teams', see `mayRead`), audited at round
   * level with the meetings shown and the cases they discuss, also when they discuss none.
   */
  async meetings(user: AuthUser, id: number): Promise<ReviewMeeting[]> {
    const { round, cases } = await this.visibleRound(user, id);
    const rows = (await this.repository.meetings(id)).filter((m) => mayRead(user, round, cases, m.cases));
    if (rows.length > 0)
      await this.recordRead(user, round, [...new Set(rows.flatMap((m) => m.cases))], 'read:review-meetings', {
        meetings: rows.map((m) => m.id),
      });
    return rows;
  }

  async createMeeting(user: AuthUser, id: number, body: ReviewMeetingBody): Promise<ReviewMeeting> {
    const { round, cases } = await this.visibleRound(user, id);
    checkDiscussed(user, round, cases, body.cases);
    const meeting = await this.repository.createMeeting(id, round.municipality, meetingWrite(body), user.username);
    const [row] = await this.repository.meetings(id, meeting);
    await this.recordMeetingShown(user, round, row);
    return row;
  }

  async updateMeeting(user: AuthUser, id: number, meeting: number, body: ReviewMeetingBody): Promise<ReviewMeeting> {
    const { round, cases } = await this.visibleRound(user, id);
    const [before] = await this.repository.meetings(id, meeting);
    // A meeting the caller may not read does not exist for the caller, like another team's case.
    if (!before || !mayRead(user, round, cases, before.cases))
      throw new NotFoundException(`Mødet ${meeting} findes ikke i gennemgang ${id}`);
    checkDiscussed(user, round, cases, body.cases);
    await this.repository.updateMeeting(id, meeting, meetingWrite(body));
    const [row] = await this.repository.meetings(id, meeting);
    await this.recordMeetingShown(user, round, row);
    return row;
  }

  /**
   * The answer to a meeting's write shows its notes and cases: audited as a read of it, with its
   * cases, so a search of the audit log by case finds it (the hook's `change` row has no cases).
   */
  private recordMeetingShown(user: AuthUser, round: RoundRow, row: ReviewMeeting): Promise<void> {
    return this.recordRead(user, round, row.cases, 'read:review-meetings', { meetings: [row.id] });
  }

  /** The municipality's action areas: no person-level data (no CPR numbers, no names), so the committee reads them too. */
  async actionAreas(user: AuthUser, municipality?: number): Promise<ActionArea[]> {
    const m = await this.scope.resolve(user, municipality);
    return forReader(user, await this.repository.actionAreas(m.code));
  }

  async createActionArea(user: AuthUser, body: ActionAreaBody): Promise<ActionArea> {
    const write = await this.validActionArea(user, body);
    const id = await this.repository.createActionArea(write, user.username);
    const [row] = await this.repository.actionAreas(write.municipality, id);
    return row;
  }

  async updateActionArea(user: AuthUser, id: number, body: ActionAreaBody): Promise<ActionArea> {
    const write = await this.validActionArea(user, body);
    let expected: { round: number | null; owner: string } | undefined;
    const teams = teamScope(user);
    if (teams) {
      // Nor does a team leader change (or unlink) an area linked to a round it does not see, nor
      // one that another made (the chief's, another team's) and that is not its team's (owner)
      // linked to no round or to a round not drawn among its own teams only (the chief's round of
      // several teams): it could rewrite it, or take it over by linking it to its own round.
      const [stored] = await this.repository.actionAreas(write.municipality, id);
      if (!stored) throw new NotFoundException(`Indsatsområde ${id} findes ikke`);
      const owner = stored.owner.trim().toLocaleLowerCase('da');
      const ours = stored.createdBy === user.username || teams.some((t) => t.trim().toLocaleLowerCase('da') === owner);
      if (stored.round != null) {
        const { round } = await this.visibleRound(user, stored.round);
        if (!ours && !ownRound(round, teams))
          throw new ForbiddenException(
            'Et indsatsområde i en gennemgang, der ikke er udtrukket blandt dine egne teams, kan kun ændres af den, der oprettede det, af det team, der ejer det, eller af chefen; bed dem ændre det',
          );
      } else if (!ours)
        throw new ForbiddenException(
          'Et indsatsområde uden gennemgang kan kun ændres af den, der oprettede det, af det team, der ejer det, eller af chefen; bed dem ændre det eller knytte det til din gennemgang',
        );
      // The check holds for the round and owner it read: the update is made only while the area has them.
      expected = { round: stored.round, owner: stored.owner };
    }
    if (!(await this.repository.updateActionArea(id, write, expected))) {
      if (expected) throw new ConflictException('Indsatsområdet blev ændret af en anden imens. Hent siden igen, og ret det derefter.');
      throw new NotFoundException(`Indsatsområde ${id} findes ikke`);
    }
    const [row] = await this.repository.actionAreas(write.municipality, id);
    return row;
  }

  private async validActionArea(user: AuthUser, body: ActionAreaBody): Promise<ActionAreaWrite> {
    if (user.role === 'teamleder') teamScope(user);
    const m = await this.scope.resolve(user, body.municipality);
    if (body.kpi && !kpiById(body.kpi)) throw new BadRequestException(`Nøgletallet ${body.kpi} findes ikke`);
    const known = new Set(await this.repository.checklistItemIds(m.code));
    const unknown = body.items.find((i) => !known.has(i));
    if (unknown !== undefined) throw new BadRequestException(`Punktet ${unknown} findes ikke i nogen tjekliste`);
    if (body.round !== undefined && body.round !== null) {
      const round = await this.repository.round(body.round, m.code);
      if (!round) throw new NotFoundException(`Gennemgang ${body.round} findes ikke`);
      // A team leader links only a round it sees: another team's does not exist for it.
      if (teamScope(user)) await this.visibleRound(user, body.round);
    }
    // The committee reads the action areas: no names in them, as in its examples.
    await this.committeeTexts.refuseIdentifying(m.code, [
      ['Titlen', body.title],
      ['Begrundelsen', body.why],
      ['Ejeren', body.owner],
    ]);
    return {
      municipality: m.code,
      round: body.round ?? null,
      title: body.title.trim(),
      why: body.why?.trim() || null,
      owner: body.owner.trim(),
      due: body.due ?? null,
      status: body.status,
      items: [...new Set(body.items)],
      kpi: body.kpi || null,
    };
  }

  /**
   * Results over the finished cases of rounds dated from .. to: per item the share not met, by
   * quarter, by team and by caseworker (never ranked), the most frequent deficiencies and the
   * action areas by status. The committee gets the aggregates only, small cells suppressed; a team
   * leader the own teams' cases; only the team leader and the chief see results by caseworker.
   */
  async results(user: AuthUser, query: ReviewResultsQuery, municipality?: number): Promise<ReviewResults> {
    const committee = user.role === 'udvalg';
    const teams = committee ? null : teamScope(user);
    const m = await this.scope.resolve(user, municipality);
    let to = query.to || m.exportDate || copenhagenDate(new Date());
    let from = query.from || `${to.slice(0, 4)}-01-01`;
    if (from > to) throw new BadRequestException(`from (${danishDate(from)}) skal ligge før to (${danishDate(to)})`);
    // The committee sees whole months only, like every committee figure (KPIS.md, committee dates).
    if (committee) ({ from, to } = committeeDates(to, { from: query.from || undefined }).period);
    const rows = await this.repository.results(m.code, from, to, teams);
    const reviewed = await this.repository.reviewedCases(m.code, from, to, teams);
    const actionAreas = await this.repository.actionAreasByStatus(m.code);
    const items = tally(rows);
    // The committee may not read checklists: the results carry their items' titles.
    const titles = await this.repository.itemTitles(
      m.code,
      items.map((i) => i.id),
    );
    const byQuarter = group(rows, (r) => r.quarter);
    // The committee's judged counts stand beside the reviewed cases: where the rest (the cases the
    // item did not concern) is 1-4, the judged count is withheld too.
    const shownReviewed = suppressCount(reviewed) as number | Suppressed;
    const judgedShown = (t: Tally) => (typeof shownReviewed === 'number' && isSmallCell(reviewed - t.judged) ? SUPPRESSED : undefined);
    const shown = committee ? items.map((i) => suppressed(i, judgedShown(i))) : items.map(result);
    // The committee's list names only counts its items show.
    const top = items
      .filter((i, k) => i.notMet > 0 && typeof shown[k].notMet === 'number')
      .sort((a, b) => b.notMet - a.notMet || a.id.localeCompare(b.id))
      .slice(0, 5)
      .map((i) => ({ id: i.id, notMet: i.notMet }));
    if (committee) {
      return {
        municipality: m.code,
        from,
        to,
        reviewedCases: shownReviewed,
        items: shown,
        byQuarter: suppressQuarters(items, shown, byQuarter),
        topDeficiencies: top,
        actionAreas,
        titles,
      };
    }
    const byCaseworker = Object.fromEntries(
      Object.entries(
        group(
          rows.filter((r) => r.caseworker !== ''),
          (r) => r.caseworker,
        ),
      ).map(([k, v]) => [k, v.map(result)]),
    );
    // A caseworker's results are personal data of the staff: who saw whose is logged.
    const caseworkers = Object.keys(byCaseworker).sort();
    if (caseworkers.length > 0)
      await this.audit.event({
        username: user.username,
        role: user.role,
        action: 'read:review-results',
        municipality: m.code,
        detail: { from, to, caseworkers },
      });
    return {
      municipality: m.code,
      from,
      to,
      reviewedCases: reviewed,
      items: shown,
      byQuarter: Object.fromEntries(Object.entries(byQuarter).map(([k, v]) => [k, v.map(result)])),
      byTeam: Object.fromEntries(Object.entries(group(rows, (r) => r.team, true)).map(([k, v]) => [k, v.map(result)])),
      byCaseworker,
      topDeficiencies: top,
      actionAreas,
      titles,
    };
  }

  /**
   * The child-perspective examples the chief writes for the committee: no person-level data (the
   * texts are screened for CPR numbers and names), so the committee reads them with its results.
   */
  async examples(user: AuthUser, municipality?: number): Promise<ReviewExample[]> {
    if (user.role === 'teamleder') teamScope(user);
    const m = await this.scope.resolve(user, municipality);
    return forReader(user, await this.repository.examples(m.code));
  }

  async createExample(user: AuthUser, body: ReviewExampleBody): Promise<ReviewExample> {
    const m = await this.scope.resolve(user, body.municipality);
    const { title, text } = await this.exampleTexts(m.code, body);
    const id = await this.repository.createExample(m.code, title, text, user.username);
    const [row] = await this.repository.examples(m.code, id);
    return row;
  }

  async updateExample(user: AuthUser, id: number, body: ReviewExampleBody): Promise<ReviewExample> {
    const m = await this.scope.resolve(user, body.municipality);
    const { title, text } = await this.exampleTexts(m.code, body);
    if (!(await this.repository.updateExample(id, m.code, title, text))) throw new NotFoundException(`Eksempel ${id} findes ikke`);
    const [row] = await this.repository.examples(m.code, id);
    return row;
  }

  async removeExample(user: AuthUser, id: number): Promise<void> {
    const m = await this.scope.resolve(user, undefined);
    if (!(await this.repository.deleteExample(id, m.code))) throw new NotFoundException(`Eksempel ${id} findes ikke`);
  }

  /** The example's texts trimmed, refused in Danish when they name one of the municipality's caseworkers. */
  private async exampleTexts(municipality: number, body: ReviewExampleBody): Promise<{ title: string; text: string }> {
    await this.committeeTexts.refuseIdentifying(municipality, [
      ['Titlen', body.title],
      ['Eksemplet', body.text],
    ]);
    return { title: body.title.trim(), text: body.text.trim() };
  }

  /** The checklist versions the municipality may use (its own and the product's), newest first. */
  async checklists(user: AuthUser, municipality?: number): Promise<Checklist[]> {
    teamScope(user);
    const m = await this.scope.resolve(user, municipality);
    return this.repository.checklists(m.code);
  }

  /**
   * A new version of the municipality's checklist (a round keeps the version it was made with).
   * Formal items are the ones the product can answer from the data; professional ones are free.
   */
  async createChecklist(user: AuthUser, body: ChecklistBody): Promise<Checklist> {
    const m = await this.scope.resolve(user, body.municipality);
    const formal = new Set<string>(FORMAL_ITEM_IDS);
    const unknown = body.items.find((i) => i.id.startsWith('formal.') && !formal.has(i.id));
    if (unknown)
      throw new BadRequestException(
        `Det formelle punkt ${unknown.id} kan produktet ikke udfylde fra data. Formelle punkter: ${FORMAL_ITEM_IDS.join(', ')}`,
      );
    const items = body.items.map((i) => ({
      id: i.id,
      kind: i.id.startsWith('formal.') ? ('formal' as const) : ('professional' as const),
      title: i.title.trim(),
    }));
    // The committee's results name the items by these titles.
    await this.committeeTexts.refuseIdentifying(
      m.code,
      items.map((i): NamedText => [`Punktets titel (${i.id})`, i.title]),
    );
    const version = await this.repository.createChecklist(m.code, body.title.trim(), items);
    return { version, municipality: m.code, title: body.title.trim(), items };
  }

  /**
   * Deletes a round made by mistake: the chief any round of the municipality, a team leader a round
   * drawn among the own teams only (404 for one the team leader cannot see, 403 for one seen but
   * not theirs).
   */
  async remove(user: AuthUser, id: number): Promise<void> {
    const { round, cases } = await this.visibleRound(user, id);
    const teams = teamScope(user);
    if (teams) {
      if (!ownRound(round, teams)) {
        if (cases.length === 0) throw new NotFoundException(`Gennemgang ${id} findes ikke`);
        throw new ForbiddenException('En teamleder kan kun slette gennemgange, der er udtrukket blandt egne teams. Bed chefen om det.');
      }
    }
    await this.repository.deleteRound(id);
  }

  /**
   * The round with its checklist and the cases the caller may see in it; 404 for a round of another
   * municipality, and for a team leader one with none of the own teams' cases (unless it was drawn
   * among the team leader's teams and found nothing), as the list of rounds has it. Every round
   * sub-resource (cases, meetings, deletion) goes through here, so none answers for a round whose
   * `GET /reviews/:id` is 404.
   */
  private async visibleRound(user: AuthUser, id: number): Promise<{ round: RoundRow; checklist: ChecklistItemRow[]; cases: CaseRow[] }> {
    const teams = teamScope(user);
    const round = await this.repository.round(id, user.municipality);
    if (!round) throw new NotFoundException(`Gennemgang ${id} findes ikke`);
    const cases = await this.repository.cases(id, teams);
    if (teams && cases.length === 0 && !(round.teams ?? []).some((t) => teams.includes(t)))
      throw new NotFoundException(`Gennemgang ${id} findes ikke`);
    return { round, checklist: await this.repository.checklist(round.checklistVersion, round.municipality), cases };
  }

  /** The round's case, within a team leader's teams; 404 otherwise (not naming the path's unchecked case number). */
  private async visibleCase(user: AuthUser, id: number, caseId: string): Promise<CaseRow> {
    const [row] = await this.repository.cases(id, teamScope(user), caseId);
    if (!row) throw new NotFoundException(`Sagen findes ikke i gennemgang ${id}`);
    return row;
  }

  /**
   * Writes the audit row of a read of review data before the answer is sent: the cases shown as
   * its case set, the round in `detail.review`. A read showing no case writes a row only when it
   * shows something else of the round, named in `shown` (meetings' notes: `{ meetings: [ids] }`);
   * its row then has no case set.
   */
  private async recordRead(
    user: AuthUser,
    round: RoundRow,
    cases: string[],
    action = 'read:review',
    shown?: Record<string, unknown>,
  ): Promise<void> {
    if (cases.length === 0 && !shown) return;
    const caseSetId = await this.audit.caseSet([...cases].sort());
    await this.audit.event({
      username: user.username,
      role: user.role,
      action,
      municipality: round.municipality,
      caseSetId,
      detail: { review: round.id, ...shown },
    });
  }
}

/**
 * The teams a team leader's reviews are limited to; null for the chief. A team leader without
 * teams sees no case at all, never every team's.
 */
function teamScope(user: AuthUser): string[] | null {
  if (user.role !== 'teamleder') return null;
  if (user.teams.length === 0)
    throw new ForbiddenException(
      'Du har ikke adgang til sagsgennemgange: din bruger er teamleder uden teams. Bed en administrator om at tilknytte dine teams.',
    );
  return user.teams;
}

/** A round drawn among the team leader's own teams only (every case of it is theirs). */
const ownRound = (round: RoundRow, teams: string[]): boolean => round.teams !== null && round.teams.every((t) => teams.includes(t));

/**
 * Whether the caller may read a meeting of a round the caller sees (`visible`: the caller's cases of
 * it) that discusses `discussed`. The chief: every meeting. A team leader: a meeting whose cases
 * are all the own teams' (its notes may speak of any case discussed), and a meeting that lists no
 * case only on a round drawn among the own teams. A meeting without cases is about the round as a
 * whole: on the chief's round or a round shared with other teams its notes may speak of any of the
 * round's cases, which are not all the team leader's ("own teams' rounds, cases and notes").
 */
function mayRead(user: AuthUser, round: RoundRow, visible: CaseRow[], discussed: string[]): boolean {
  const teams = teamScope(user);
  if (!teams) return true;
  if (discussed.length === 0) return ownRound(round, teams);
  const mine = new Set(visible.map((c) => c.case));
  return discussed.every((c) => mine.has(c));
}

/**
 * The cases a meeting is to discuss must be the round's, and a team leader's own teams' (404 like
 * any case the caller cannot see). A team leader records a meeting without cases only on a round
 * drawn among the own teams (403 on another round the team leader sees): it would be a meeting the
 * team leader could not read back, about cases that are not all theirs.
 */
function checkDiscussed(user: AuthUser, round: RoundRow, visible: CaseRow[], discussed: string[]): void {
  const mine = new Set(visible.map((c) => c.case));
  const missing = discussed.find((c) => !mine.has(c));
  if (missing !== undefined) throw new NotFoundException(`Sag ${missing} findes ikke i gennemgang ${round.id}`);
  if (!mayRead(user, round, visible, discussed))
    throw new ForbiddenException(
      'Et møde uden drøftede sager handler om hele gennemgangen: en teamleder kan kun registrere det i gennemgange, der er udtrukket blandt egne teams. Angiv de drøftede sager, eller bed chefen om det.',
    );
}

const meetingWrite = (body: ReviewMeetingBody): Pick<MeetingRow, 'date' | 'participants' | 'cases' | 'notes'> => ({
  date: body.date,
  participants: body.participants.map((p) => p.trim()),
  cases: body.cases,
  notes: body.notes?.trim() || null,
});

interface Tally {
  id: string;
  kind: 'formal' | 'professional';
  position: number;
  judged: number;
  notMet: number;
}

/** The rows summed per item, formal items first, then in the checklist's order. */
function tally(rows: ResultRow[]): Tally[] {
  const by = new Map<string, Tally>();
  for (const r of rows) {
    const t = by.get(r.id) ?? { id: r.id, kind: r.kind, position: r.position, judged: 0, notMet: 0 };
    t.judged += r.judged;
    t.notMet += r.notMet;
    t.position = Math.min(t.position, r.position);
    by.set(r.id, t);
  }
  return [...by.values()].sort((a, b) =>
    a.kind === b.kind ? a.position - b.position || a.id.localeCompare(b.id) : a.kind === 'formal' ? -1 : 1,
  );
}

/** Per key (in key order: Danish for names, by code point for ids), the rows' tally. */
function group(rows: ResultRow[], key: (r: ResultRow) => string, names = false): Record<string, Tally[]> {
  const keys = [...new Set(rows.map(key))].sort((a, b) => (names ? a.localeCompare(b, 'da') : a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, tally(rows.filter((r) => key(r) === k))]));
}

const result = (t: Tally): ReviewItemResult => ({
  id: t.id,
  kind: t.kind,
  judged: t.judged,
  notMet: t.notMet,
  share: t.judged === 0 ? null : t.notMet / t.judged,
});

/**
 * The committee's item: counts 1-4 suppressed; and as the cases judged are the not-met ones plus
 * the met ones, the not-met count is suppressed also when the met rest is 1-4 (it would follow by
 * subtraction), and the share is withheld with either count.
 */
function suppressed(
  t: Tally,
  judged: number | Suppressed = suppressCount(t.judged) as number | Suppressed,
  notMet = suppressCount(t.notMet) as number | Suppressed,
): ReviewItemResult {
  if (metIsSmall(t)) notMet = SUPPRESSED;
  const hidden = typeof judged !== 'number' || typeof notMet !== 'number';
  return { id: t.id, kind: t.kind, judged, notMet, share: hidden ? SUPPRESSED : t.judged === 0 ? null : t.notMet / t.judged };
}

/**
 * Whether the cases that met an item are a small cell that the not-met count would give away: by
 * subtraction from a shown judged count, or within bounds from a withheld one (judged is at most the
 * reviewed cases). With none not met, the met ones are the judged ones, withheld alike.
 */
const metIsSmall = (t: Tally): boolean => t.notMet !== 0 && isSmallCell(t.judged - t.notMet);

/**
 * The committee's quarters: the quarters of an item are parts shown with the item's total, so
 * besides the small cells the smallest other one is suppressed too (suppressParts), and where the
 * item's judged count is withheld, every quarter's is. The not-met counts are two tables at once
 * (the not-met and the met quarters, with the item's totals beside them): when any quarter's
 * not-met or met count is a small cell, every quarter's not-met count and share is withheld, zeros
 * too, as any one shown could give a hidden one away by subtraction. Otherwise every cell is 0 or 5
 * and more, and so is every sum of them: nothing is withheld.
 */
function suppressQuarters(
  items: Tally[],
  shown: ReviewItemResult[],
  byQuarter: Record<string, Tally[]>,
): Record<string, ReviewItemResult[]> {
  const out: Record<string, ReviewItemResult[]> = Object.fromEntries(Object.keys(byQuarter).map((q) => [q, []]));
  items.forEach((item, k) => {
    const cells = Object.entries(byQuarter).flatMap(([q, ts]) => ts.filter((t) => t.id === item.id).map((t) => [q, t] as const));
    const judged =
      typeof shown[k].judged === 'number'
        ? suppressParts(Object.fromEntries(cells.map(([q, t]) => [q, t.judged])))
        : Object.fromEntries(cells.map(([q]) => [q, SUPPRESSED]));
    const small = cells.some(([, t]) => isSmallCell(t.notMet) || isSmallCell(t.judged - t.notMet));
    for (const [q, t] of cells)
      out[q].push(small ? { id: t.id, kind: t.kind, judged: judged[q], notMet: SUPPRESSED, share: SUPPRESSED } : suppressed(t, judged[q]));
  });
  return out;
}

/** The committee is shown no usernames (an organisation's login makes them names or e-mail addresses). */
const forReader = <T extends { createdBy: string | null }>(user: AuthUser, rows: T[]): T[] =>
  user.role === 'udvalg' ? rows.map((r) => ({ ...r, createdBy: null })) : rows;

/** The facts' groups that name a case of the child (the reviewed one or another). */
const CHILD_FACTS = ['investigations', 'plans', 'conversations'] as const;

/** The facts with every other case's number, and its records' ids, taken out (null: "another case" in the view). */
function withoutOtherCases(facts: CaseFacts, reviewed: string): CaseFacts {
  const out = { ...facts };
  for (const group of CHILD_FACTS)
    out[group] = facts[group].map((f) =>
      f.case === reviewed
        ? f
        : { ...f, case: null, ...('investigation' in f ? { investigation: null } : {}), ...('plan' in f ? { plan: null } : {}) },
    );
  return out;
}

/** The case numbers the facts show: the reviewed case's first, then the others, each once. */
function casesIn(facts: CaseFacts, reviewed: string): string[] {
  const others = CHILD_FACTS.flatMap((g) => facts[g].map((f) => f.case)).filter(
    (c): c is string => typeof c === 'string' && c !== reviewed,
  );
  return [reviewed, ...new Set(others)];
}

/** The sampling as stored, its list of chosen cases cut to the visible ones (null: all visible). */
function visibleSampling(sampling: Record<string, unknown>, visible: Set<string> | null): Record<string, unknown> {
  if (!visible || !Array.isArray(sampling.cases)) return sampling;
  return { ...sampling, cases: (sampling.cases as string[]).filter((c) => visible.has(c)) };
}

/** The sampling without its list of chosen cases. */
function withoutCases({ cases: _cases, ...sampling }: Record<string, unknown>): Record<string, unknown> {
  return sampling;
}

/** A text field of the body: absent stays unchanged, empty is cleared. */
const text = (value: string | null | undefined): string | null | undefined => (value === undefined ? undefined : value?.trim() || null);

function notice(round: RoundRow): string | null {
  if (round.found >= round.requested) return null;
  const why =
    round.sampling.kind === 'random_per_caseworker'
      ? 'rådgivere med færre åbne sager giver dem, de har'
      : round.sampling.kind === 'random_by_paragraph'
        ? `der er ikke flere åbne sager med en aktiv foranstaltning efter ${String(round.sampling.paragraph)}`
        : 'der er ikke flere åbne sager med en aktiv foranstaltning af den slags';
  return `Der blev kun fundet ${round.found} af ${round.requested} ønskede sager: ${why}, og sager, der er gennemgået inden for de seneste 12 måneder, springes over.`;
}

function toCase(row: CaseRow, checklist: ChecklistItemRow[], answers: AnswerRow[]): ReviewCase {
  const mine = new Map(answers.filter((a) => a.case === row.case).map((a) => [a.id, a]));
  const items = checklist.map((item): ReviewItem => {
    const a = mine.get(item.id);
    return {
      id: item.id,
      kind: item.kind,
      answer: a?.answer ?? null,
      source: a?.source ?? (item.kind === 'formal' ? 'data' : 'reviewer'),
      dataAnswer: a?.dataAnswer ?? null,
      note: a?.note ?? null,
    };
  });
  return {
    case: row.case,
    caseworker: row.caseworker,
    team: row.team,
    chosen: row.chosen,
    forklaede: row.forklaede,
    summary: row.summary,
    learningQuestion: row.learningQuestion,
    status: row.status,
    items,
  };
}
