import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotAcceptableException,
} from '@nestjs/common';
import { gzipSync } from 'zlib';
import type { KpiResponse, KpisQuery, KpiValue, MunicipalityInfo, SeriesPoint, SeriesQuery, SeriesResponse } from '@bu/contracts';
import {
  addMonths,
  committeeDates,
  copenhagenDate,
  defaultPeriod,
  isIsoDate,
  isMunicipalityCode,
  monthEnd,
  municipalities,
} from '@bu/domain';
import cluster from 'cluster';
import { availableParallelism } from 'os';
import { kpiSlots, settings as config } from '@bu/config';
import {
  answerMemo,
  computeOnce,
  KPIS,
  kpiById,
  forCommittee,
  ListQueryError,
  MAX_PAGE,
  pageList,
  parseListQuery,
  unknownFields,
  type KpiContext,
  type Fraction,
  type KpiDefinition,
  type KpiListValue,
  type KpiSettings,
  type ListQuery,
  type Query,
} from '@bu/kpi';
import type { AuthUser } from '../auth/auth.types';
import { AuditService, casesIn, importIssuesIn } from '../audit/audit.service';
import { runInScope } from '../database/request-scope';
import { ComparisonGroupsRepository } from '../goals/comparison-groups.repository';
import { refuseMixedKeys, ScopeService } from '../municipalities/scope.service';
import { MAX_SERIAL_ID } from '../validation/id.pipe';
import { ARROW_STREAM, toArrow } from './arrow';
import { KpiCache, type Versions } from './kpi-cache.service';
import { KpiRepository } from './kpi.repository';
import { KPI_ANSWER_SECONDS, KPI_ANSWERS } from '../metrics/metrics.registry';
import { mapLimited, Slots, TooManyRequests } from './limit';
import { readsNational } from './national';

/**
 * What a KPI computation depends on besides the data versions: its cache key (a value's, and its
 * counts' after `fraction|`). JSON, not joined text: a team's name is any text (from the case
 * system), and no team list may share a key with another, nor with every team (null).
 */
const keyOf = (kpi: KpiDefinition, ctx: Omit<KpiContext, 'settings'>): string =>
  JSON.stringify([kpi.id, ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to, ctx.teams ?? null, ctx.comparisonGroup ?? null]);

/** What a computation reads besides its context, loaded once per answer and only when one is computed. */
type Inputs = () => Promise<Pick<KpiContext, 'settings' | 'readModels'>>;

/** KPIs of one answer computed at once (KPI_CONCURRENCY, ADR 0075). */
const PER_ANSWER = config().KPI_CONCURRENCY;

/**
 * KPI computations at once in the process (KPI_SLOTS, ADR 0099): never more than the primary
 * pool's connections less two, so the requests' other statements (scope, settings, audit) find a
 * free connection without waiting behind the KPIs, and the KPIs wait here, not in the pool (see Slots).
 */
// Shared with the other API processes only under `npm run serve`'s supervisor (its children are
// cluster workers); `npm start` and a lone API process are one, whatever API_PROCESSES says.
export const KPI_SLOTS = new Slots(
  kpiSlots(config().KPI_SLOTS, availableParallelism(), cluster.isWorker ? config().API_PROCESSES : 1),
  config().KPI_REQUESTS_PER_USER,
);

/** When a user refused for too many KPI requests in progress is asked to try again: about a cold answer's wait under load. */
const KPI_RETRY_AFTER_SECONDS = 5;

/**
 * Runs a computation of the user's as one request of theirs in the KPI slots: fair turns per user
 * (ADR 0121), and a 429 when the user already has KPI_REQUESTS_PER_USER in progress. The refusal
 * is thrown at once (see Slots.request), so no other user waiting on the same cache key gets it.
 */
function userRequest<T>(user: AuthUser, work: () => Promise<T>): Promise<T> {
  try {
    return KPI_SLOTS.request(work, user.username);
  } catch (error) {
    if (!(error instanceof TooManyRequests)) throw error;
    throw new HttpException(
      {
        statusCode: 429,
        message: `For mange nøgletal under beregning på én gang (højst ${error.limit} pr. bruger). Prøv igen om ${KPI_RETRY_AFTER_SECONDS} sekunder.`,
        retryAfter: KPI_RETRY_AFTER_SECONDS,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** The most points one series request computes (20 years by month). */
export const MAX_SERIES_POINTS = 240;

/** What GET /kpis writes: the headers in order, and the body (compressed when asked and worth it). */
export interface HttpAnswer {
  headers: [string, string | number][];
  body: Buffer;
}

/** A KPI request as asked, before its defaults are resolved. */
interface RawQuery {
  municipalityParam?: string;
  asOfParam?: string;
  fromParam?: string;
  toParam?: string;
  idsParam?: string;
  groupParam?: string;
  groupIdParam?: string;
  /** compare=lastYear: each KPI also at D and P one year earlier. */
  compareParam?: 'lastYear';
  listQuery: ListQuery | null;
  arrow: boolean;
}

/** A computed answer as sent: cached whole, so a warm request serialises nothing. */
interface Answer {
  type: string;
  body: Buffer;
  gzip?: Buffer;
  /** The case numbers on it, for the audit log, and their row in audit_case_set once stored. */
  cases: string[];
  caseSet?: Promise<string | null>;
  /** The imports whose rejected values it shows (the data-quality lists), for the audit log; null for none. */
  imports: string[] | null;
  /** An Arrow list cut at MAX_PAGE rows (asked without `limit`). */
  truncated?: boolean;
}

/**
 * The dates a KPI may be computed at: no municipality's data begins before the first, and the last
 * is a year from today. Together they bound what one request can make the API compute, cached or not.
 */
export const FIRST_KPI_DATE = '2000-01-01';

function kpiDateWindow(name: string, value: string): BadRequestException {
  return new BadRequestException(`${name} skal ligge fra ${FIRST_KPI_DATE} til ${lastKpiDate()}: ${value}`);
}

function lastKpiDate(): string {
  return addMonths(copenhagenDate(new Date()), 12);
}

/** A date asked for: a calendar date, not before FIRST_KPI_DATE (the latest is checked by notTooLate). */
function isoParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isIsoDate(value)) throw new BadRequestException(`${name} skal være en dato (ÅÅÅÅ-MM-DD): ${value}`);
  if (value < FIRST_KPI_DATE) throw kpiDateWindow(name, value);
  return value;
}

/** Checked on the dates used: the committee's later D is first moved back to its export date, and is no error. */
function notTooLate(name: string, value: string): void {
  if (value > lastKpiDate()) throw kpiDateWindow(name, value);
}

/**
 * The teams a team leader's figures are limited to; undefined for the other roles. A team leader
 * without teams (no longer creatable, but possibly in the database) sees no figure at all, never
 * every team's.
 */
function teamScope(user: AuthUser): string[] | undefined {
  if (user.role !== 'teamleder') return undefined;
  if (user.teams.length === 0)
    throw new ForbiddenException(
      'Du har ikke adgang til nøgletal: din bruger er teamleder uden teams. Bed en administrator om at tilknytte dine teams.',
    );
  return user.teams;
}

/** The KPIs asked for, each known and readable by the user's role (400 for an unknown one first, then 403). */
function readable(user: AuthUser, ids: string[]): KpiDefinition[] {
  const unknown = ids.filter((id) => !kpiById(id));
  if (unknown.length > 0) throw new BadRequestException(`Ukendt nøgletal: ${unknown.join(', ')}`);
  const denied = ids.filter((id) => !kpiById(id)!.roles.includes(user.role));
  if (denied.length > 0) throw new ForbiddenException(`Din rolle kan ikke se: ${denied.join(', ')}`);
  return ids.map((id) => kpiById(id)!);
}

/**
 * The committee's D is first held to the export date: a month end after it would count the days
 * up to the export, and each new export would tell those days apart (KPIS.md, committee dates).
 */
function notAfterExport(asOf: string, exportDate: string | null): string {
  return exportDate !== null && asOf > exportDate ? exportDate : asOf;
}

/** The as-of date asked for, else the municipality's newest export date (400 when it has none). */
function askedAsOf(asOfParam: string | undefined, municipality: MunicipalityInfo): string {
  const asOf = isoParam('asOf', asOfParam) ?? municipality.exportDate;
  if (!asOf) throw new BadRequestException('Kommunen har ingen data endnu; angiv asOf');
  return asOf;
}

/**
 * Cached values are shared by everyone who may see the municipality, so they are computed in its
 * scope (row-level security), not in the first asker's: a national user's '*' would let a query
 * that forgot its WHERE put other municipalities' rows into an answer others are served.
 */
function inMunicipality<T>(code: number, compute: () => Promise<T>): Promise<T> {
  return runInScope(String(code), compute);
}

/**
 * KPI answers: the checks every KPI request shares (role, team scope, municipality scope, dates),
 * the defaults (D = the newest export date, P = D's year), the computation through the cache,
 * the committee's suppression, list pages, JSON or Arrow, compression and the audit of list reads.
 */
/**
 * Whether an answer with this KPI names caseworkers (dimensions.caseworker: name, team, job title,
 * employment end, beside their caseloads or list rows): personal data of the staff, so the answer
 * is in the audit log even without a case row.
 */
function namesCaseworkers(id: string): boolean {
  const kpi = kpiById(id)!;
  return id.startsWith('caseload.') || (kpi.unit === 'list' && (kpi.fields ?? []).some((f) => f === 'worker' || f === 'lastWorker'));
}

@Injectable()
export class KpiService {
  constructor(
    @Inject(KpiRepository) private readonly repository: KpiRepository,
    @Inject(ComparisonGroupsRepository) private readonly groups: ComparisonGroupsRepository,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(KpiCache) private readonly cache: KpiCache,
  ) {}

  /** The municipality asked for (or the user's own), in the user's scope and not mid-rotation. */
  private async municipality(
    user: AuthUser,
    param: string | undefined,
    cached?: (key: string, load: () => Promise<MunicipalityInfo[]>) => Promise<MunicipalityInfo[]>,
  ): Promise<MunicipalityInfo> {
    if (param !== undefined && !/^\d{1,3}$/.test(param)) throw new BadRequestException(`Ukendt kommunekode: ${param}`);
    const municipality = await this.scope.resolve(user, param === undefined ? undefined : Number(param), cached);
    refuseMixedKeys(municipality);
    return municipality;
  }

  /** A KPI's value for one municipality, D, P and team scope (and comparison group), through the cache. */
  private value(
    at: Versions,
    kpi: KpiDefinition,
    ctx: Omit<KpiContext, 'settings'>,
    inputs: Inputs,
  ): Promise<{ value: unknown; hit: boolean }> {
    return this.cache.lookup(at, { municipality: ctx.municipality, national: readsNational(kpi.id) }, keyOf(kpi, ctx), () =>
      KPI_SLOTS.run(() => inMunicipality(ctx.municipality, async () => computeOnce(kpi, { ...ctx, ...(await inputs()) }))),
    );
  }

  /**
   * The settings and whether the read models may be read, each asked once per answer where its reads
   * run, and only when a value is computed: a warm answer reads neither. Whether the read models are
   * read changes no value, so it is no part of the cache key.
   */
  private inputs(municipality: number, query: Query, settings: () => Promise<KpiSettings>): Inputs {
    let loaded: ReturnType<Inputs> | undefined;
    return () =>
      (loaded ??= Promise.all([settings(), inMunicipality(municipality, () => this.repository.readModels(municipality, query))]).then(
        ([s, readModels]) => ({ settings: s, readModels }),
      ));
  }

  /** The two counts a share or rate rests on, through the cache beside its value; null when it has none. */
  private fraction(at: Versions, kpi: KpiDefinition, ctx: Omit<KpiContext, 'settings'>, inputs: Inputs): Promise<Fraction | null> {
    const { fraction } = kpi;
    if (!fraction) return Promise.resolve(null);
    // A fractionKpi's value and counts are one computation per answer (the context's memo).
    return this.cache.get(at, { municipality: ctx.municipality, national: readsNational(kpi.id) }, `fraction|${keyOf(kpi, ctx)}`, () =>
      KPI_SLOTS.run(() => inMunicipality(ctx.municipality, async () => fraction({ ...ctx, ...(await inputs()) }))),
    );
  }

  /**
   * GET /kpis: the answer, cached whole at the data version, its list reads audited. A large
   * answer goes compressed where the client takes it (compressed once, kept with the answer).
   */
  kpis(user: AuthUser, params: KpisQuery, accept: string | undefined, acceptEncoding: string | undefined): Promise<HttpAnswer> {
    // What it caches is charged to the user, so one user cannot push out everyone's answers (ADR 0121).
    return this.cache.chargedTo(user.username, () => this.answerFor(user, params, accept, acceptEncoding));
  }

  private async answerFor(
    user: AuthUser,
    params: KpisQuery,
    accept: string | undefined,
    acceptEncoding: string | undefined,
  ): Promise<HttpAnswer> {
    const arrived = performance.now();
    teamScope(user);
    let listQuery: ListQuery | null;
    try {
      listQuery = parseListQuery({ sort: params.sort, filter: params.filter, offset: params.offset, limit: params.limit });
    } catch (e) {
      if (e instanceof ListQueryError) throw new BadRequestException(e.message);
      throw e;
    }
    const raw: RawQuery = {
      municipalityParam: params.municipality,
      asOfParam: params.asOf,
      fromParam: params.from,
      toParam: params.to,
      idsParam: params.ids,
      groupParam: params.group,
      groupIdParam: params.groupId,
      compareParam: params.compare,
      listQuery,
      arrow: !!accept?.includes(ARROW_STREAM),
    };
    const versions = await this.cache.versions();
    const { municipality, asOf, period, auditedIds, caseworkers, key, dependency, compute } = await this.resolve(versions, user, raw);
    // The answer's KPIs take the request's turn, the user's next (ADR 0091, 0121).
    const { value: answer, hit } = await this.cache.lookup(versions, dependency, `answer|${key}`, () =>
      userRequest(user, () => compute(versions)),
    );
    const cache = hit ? 'hit' : 'miss';
    KPI_ANSWERS.inc({ cache });
    KPI_ANSWER_SECONDS.observe({ cache }, (performance.now() - arrived) / 1000);
    // Asked again after the next change of its municipality: the defaults (D = the new export date) are resolved anew.
    this.cache.remember(JSON.stringify([user.role, user.teams, user.municipality, raw]), dependency, async (at) => {
      const again = await this.resolve(at, user, raw);
      // A turn of its own, not that of the request it was first asked in.
      await this.cache.get(at, again.dependency, `answer|${again.key}`, () => KPI_SLOTS.request(() => again.compute(at)));
    });
    // The answer's set of cases is stored once; a failed attempt is tried again by the next request.
    answer.caseSet ??= this.audit.caseSet(answer.cases).catch((e) => {
      answer.caseSet = undefined;
      throw e;
    });
    await this.audit.record(user, municipality.code, auditedIds, await answer.caseSet, {
      asOf,
      period,
      ...(answer.imports ? { imports: answer.imports } : {}),
      ...(caseworkers ? { caseworkers: true } : {}),
    });
    const headers: HttpAnswer['headers'] = [['Content-Type', answer.type]];
    // An Arrow table cannot say it was cut (JSON says `truncated`): the header does.
    if (answer.truncated) headers.push(['X-Rows-Truncated', String(MAX_PAGE)]);
    headers.push(['Vary', 'Accept, Accept-Encoding']);
    // Where the answer came from: this process's cache, or computed for this request (or one beside it).
    headers.push(['X-Kpi-Cache', cache]);
    // The municipality's data it was computed from: pages of one list with different versions do
    // not belong together (an import committed between them), so the dashboard asks again. Not the
    // national part: a list reads none, and its pages are asked without the answer's other KPIs.
    headers.push(['X-Data-Version', versions.stamp({ municipality: dependency.municipality })]);
    let body = answer.body;
    if (answer.body.length > 1400 && /\bgzip\b/.test(acceptEncoding ?? '')) {
      body = answer.gzip ??= gzipSync(answer.body);
      headers.push(['Content-Encoding', 'gzip']);
    }
    headers.push(['Content-Length', body.length]);
    return { headers, body };
  }

  /** The request's municipality, D, P, KPIs and cache key at a data version (defaults resolved there). */
  private async resolve(at: Versions, user: AuthUser, raw: RawQuery) {
    const { municipalityParam, asOfParam, fromParam, toParam, idsParam, groupParam, groupIdParam, compareParam, listQuery, arrow } = raw;
    let comparisonGroup = groupParam ? groupParam.split(',').map((c) => c.trim()) : undefined;
    if (comparisonGroup?.some((c) => !/^\d{1,3}$/.test(c) || !isMunicipalityCode(Number(c))))
      throw new BadRequestException(`Ukendt kommunekode i group: ${groupParam}`);
    const municipality = await this.municipality(user, municipalityParam, (key, load) =>
      this.cache.get(at, { municipality: user.municipality ?? 'any' }, key, load),
    );
    if (groupIdParam !== undefined) {
      // A saved comparison group of the municipality.
      // IdPipe's rule: a number the serial column cannot hold is no group, not a database error.
      const id = /^\d{1,10}$/.test(groupIdParam) ? Number(groupIdParam) : NaN;
      const members = id >= 1 && id <= MAX_SERIAL_ID ? await this.groups.members(id, municipality.code) : undefined;
      if (!members) throw new BadRequestException(`Ukendt sammenligningsgruppe: ${groupIdParam}`);
      comparisonGroup = members.map(String);
    }
    const asOfAsked = askedAsOf(asOfParam, municipality);
    const asked = { from: isoParam('from', fromParam), to: isoParam('to', toParam) };
    // The committee sees whole months only (KPIS.md, committee dates); the answer carries the D and P used.
    const { asOf, period } =
      user.role === 'udvalg'
        ? committeeDates(notAfterExport(asOfAsked, municipality.exportDate), asked)
        : { asOf: asOfAsked, period: { from: asked.from ?? defaultPeriod(asOfAsked).from, to: asked.to ?? asOfAsked } };
    if ((asked.from ?? period.from) > (asked.to ?? asOfAsked)) throw new BadRequestException('Perioden slutter før den begynder');
    notTooLate('asOf', asOf);
    notTooLate('to', period.to);

    const requested = idsParam
      ? idsParam
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : KPIS.filter((k) => k.roles.includes(user.role)).map((k) => k.id);
    const kpis = readable(user, requested);
    if (compareParam) {
      // A change from last year is a difference of two numbers: lists, tables and breakdowns have none.
      const other = kpis.filter((k) => k.shape !== 'number' && k.shape !== 'fraction');
      if (other.length > 0)
        throw new BadRequestException(
          `Sammenligning med sidste år gælder nøgletal med ét tal; ${other.map((k) => k.id).join(', ')} har ikke ét tal`,
        );
      if (arrow) throw new NotAcceptableException('Sammenligning med sidste år sendes som JSON, ikke som Arrow');
    }
    if (listQuery) {
      const lists = kpis.filter((k) => k.unit === 'list');
      // Asking for the role's whole set with a page size is fine when the role has no lists.
      if (lists.length === 0 && idsParam)
        throw new BadRequestException('sort, filter, offset og limit gælder lister; ids nævner ingen liste');
      for (const k of lists) {
        const unknownField = unknownFields(listQuery, k.fields ?? []);
        if (unknownField.length > 0)
          throw new BadRequestException(`${k.id} har ikke feltet ${unknownField.join(', ')}; felterne er ${(k.fields ?? []).join(', ')}`);
      }
    }

    const teams = teamScope(user);
    // What the audit row names: the lists, and the figures that name caseworkers.
    const auditedIds = requested.filter((id) => kpiById(id)!.unit === 'list' || namesCaseworkers(id));
    const caseworkers = requested.some(namesCaseworkers);
    // The whole answer, serialised, is cached: a warm request costs the version read and the audit.
    const key = JSON.stringify([
      user.role,
      teams,
      municipality.code,
      asOf,
      period,
      requested,
      comparisonGroup,
      listQuery,
      arrow,
      compareParam,
    ]);
    // A benchmark or a rate per 1,000 children reads the public statistics too.
    const dependency = { municipality: municipality.code, national: requested.some(readsNational) };
    const compute = (versions: Versions) =>
      this.answer(
        versions,
        user.role,
        { municipality: municipality.code, asOf, period, teams, comparisonGroup: comparisonGroup?.map(Number) },
        requested,
        listQuery,
        arrow,
        compareParam === 'lastYear',
      );
    return { municipality, asOf, period, auditedIds, caseworkers, key, dependency, compute };
  }

  private async answer(
    at: Versions,
    role: AuthUser['role'],
    scope: Omit<KpiContext, 'settings' | 'query'>,
    requested: string[],
    listQuery: ListQuery | null,
    arrow: boolean,
    lastYear = false,
  ): Promise<Answer> {
    // On the read replica once it has replayed the data of the versions the answer is kept under.
    const { query } = await this.repository.reader(at.lsn({ municipality: scope.municipality, national: requested.some(readsNational) }));
    let settingsLoaded: Promise<KpiSettings> | undefined;
    const settings = () => (settingsLoaded ??= this.repository.settings(scope.municipality, query));
    const inputs = this.inputs(scope.municipality, query, settings);
    // One memo per answer: what several of its KPIs rest on (the budget lines, a share's counts) is computed once.
    const ctx = { ...scope, query, shared: answerMemo() };
    const kpis: KpiResponse['kpis'] = {};
    const basis: NonNullable<KpiResponse['basis']> = {};
    // Several KPIs at once (KPI_CONCURRENCY), the answer still in the order asked.
    const computed = await mapLimited(requested, PER_ANSWER, async (id) => {
      const kpi = kpiById(id)!;
      const { value } = await this.value(at, kpi, ctx, inputs);
      // A share's counts, so a small share can say its n ("3 af 4"); never to the committee, whose
      // small cells are suppressed (the counts would tell them).
      const counts = role !== 'udvalg' && kpi.fraction ? await this.fraction(at, kpi, ctx, inputs) : null;
      // The committee sees aggregates only, small cells suppressed: the real number is never sent.
      const shown = role === 'udvalg' ? await forCommittee(kpi, value, () => this.fraction(at, kpi, ctx, inputs)) : value;
      return { counts, shown };
    });
    for (const [i, id] of requested.entries()) {
      const kpi = kpiById(id)!;
      const { counts, shown } = computed[i];
      if (counts && counts.denominator !== 0) basis[id] = { numerator: counts.numerator, denominator: counts.denominator };
      kpis[id] = shown as KpiResponse['kpis'][string];
      if (listQuery && kpi.unit === 'list') kpis[id] = this.page(kpis[id] as never, listQuery, kpi.countOf as never) as never;
      else if (kpi.unit === 'list') kpis[id] = this.capped(kpis[id] as never, kpi.countOf as never) as never;
    }
    const lists = requested.filter((id) => kpiById(id)!.unit === 'list');
    const cases = casesIn(lists, kpis);
    const imports = importIssuesIn(lists, kpis);
    if (arrow) {
      // Tabular answers as Arrow IPC: one tabular KPI per request.
      const table = requested.length === 1 ? toArrow(kpis[requested[0]]) : null;
      if (!table) throw new NotAcceptableException('Arrow gives one tabular nøgletal (en liste eller en værdi pr. nøgle) pr. forespørgsel');
      return {
        type: ARROW_STREAM,
        body: Buffer.from(table),
        cases,
        imports,
        truncated: (kpis[requested[0]] as { truncated?: boolean }).truncated === true,
      };
    }
    // A light's limits are the municipality's settings (caseload.light), so the view colours by them.
    const lit = requested.map((id) => kpiById(id)!).filter((k) => k.light);
    const lights = lit.length > 0 ? await settings().then((s) => Object.fromEntries(lit.map((k) => [k.id, k.light!(s)]))) : undefined;
    const perCaseworker = requested.some(namesCaseworkers);
    const benchmarks = requested.some((id) => id.startsWith('benchmark.'));
    const response: KpiResponse = {
      asOf: scope.asOf,
      period: scope.period,
      municipality: scope.municipality,
      kpis,
      ...(lights ? { lights } : {}),
      ...(Object.keys(basis).length > 0 ? { basis } : {}),
      ...(lastYear ? { lastYear: await this.lastYear(at, role, ctx, requested, kpis, inputs) } : {}),
      ...(perCaseworker || benchmarks
        ? {
            dimensions: {
              ...(perCaseworker
                ? {
                    caseworker: await this.cache.get(
                      at,
                      { municipality: scope.municipality },
                      `dimensions.caseworker|${JSON.stringify([scope.municipality, scope.teams ?? null])}`,
                      () => inMunicipality(scope.municipality, () => this.repository.caseworkers(scope.municipality, scope.teams, query)),
                    ),
                  }
                : {}),
              ...(benchmarks ? { municipality: Object.fromEntries(municipalities().map((m) => [String(m.code), m.name])) } : {}),
            },
          }
        : {}),
    };
    return { type: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(response)), cases, imports };
  }

  /**
   * compare=lastYear: each KPI at the same date last year (D and both ends of P one year earlier, the
   * committee's values suppressed alike) and the change, value at D − value then, where both are numbers.
   * The committee sees month ends only (KPIS.md, committee dates): its D and P's end a year back are
   * that month's end (28-02-2025 → 29-02-2024), never a chosen day.
   */
  private async lastYear(
    at: Versions,
    role: AuthUser['role'],
    ctx: Omit<KpiContext, 'settings'>,
    requested: string[],
    now: KpiResponse['kpis'],
    inputs: Inputs,
  ): Promise<NonNullable<KpiResponse['lastYear']>> {
    const back = (d: string) => addMonths(d, -12);
    const backEnd = (d: string) => (role === 'udvalg' ? monthEnd(back(d)) : back(d));
    const then = { ...ctx, asOf: backEnd(ctx.asOf), period: { from: back(ctx.period.from), to: backEnd(ctx.period.to) } };
    const kpis: KpiResponse['kpis'] = {};
    const change: Record<string, number | null> = {};
    const values = await mapLimited(requested, PER_ANSWER, async (id) => {
      const kpi = kpiById(id)!;
      const { value } = await this.value(at, kpi, then, inputs);
      return role === 'udvalg' ? forCommittee(kpi, value, () => this.fraction(at, kpi, then, inputs)) : value;
    });
    for (const [i, id] of requested.entries()) {
      kpis[id] = values[i] as KpiResponse['kpis'][string];
      const [a, b] = [now[id], kpis[id]];
      change[id] = typeof a === 'number' && typeof b === 'number' ? a - b : null;
    }
    return { asOf: then.asOf, period: then.period, kpis, change };
  }

  /**
   * Asked without `limit`: at most one page (MAX_PAGE rows) of a list, and of the list beside it,
   * marked truncated, `count` the whole list's; the dashboard asks for the rest page by page.
   */
  private capped(list: KpiListValue<object> & { dueSoon?: KpiListValue<object> }, countOf?: (rows: object[]) => number) {
    if (!Array.isArray(list?.rows) || (list.rows.length <= MAX_PAGE && (list.dueSoon?.rows.length ?? 0) <= MAX_PAGE)) return list;
    const first: ListQuery = { sort: [], filter: [], offset: 0, limit: MAX_PAGE };
    return { ...this.page(list, first, countOf), truncated: true };
  }

  /** One page of a list, and of the list beside it (investigations due soon), sorted and filtered alike. */
  private page(list: KpiListValue<object> & { dueSoon?: KpiListValue<object> }, query: ListQuery, countOf?: (rows: object[]) => number) {
    const paged: KpiListValue<object> & { dueSoon?: unknown } = pageList(list, query, countOf);
    if (list.dueSoon) paged.dueSoon = pageList(list.dueSoon, query, countOf);
    return paged;
  }

  /**
   * The same KPI over time: one point per month (D = the month's last day, P = the month) or per
   * year (D = 31 December, P = the year), the last point ending at the as-of date.
   */
  series(user: AuthUser, id: string, params: SeriesQuery): Promise<{ body: SeriesResponse; hit: boolean }> {
    return this.cache.chargedTo(user.username, () => this.seriesFor(user, id, params));
  }

  private async seriesFor(user: AuthUser, id: string, params: SeriesQuery): Promise<{ body: SeriesResponse; hit: boolean }> {
    const by = params.by ?? 'month';
    const teams = teamScope(user);
    const [kpi] = readable(user, [id]);
    if (by !== 'month' && by !== 'year') throw new BadRequestException('by skal være month eller year');
    if (kpi.unit === 'list') throw new BadRequestException(`Serier findes for nøgletal med én værdi pr. periode, ikke for lister: ${id}`);
    const municipality = await this.municipality(user, params.municipality);
    const asOfAsked = askedAsOf(params.asOf, municipality);
    // The committee's series ends at the newest month end, as its other answers (KPIS.md, committee dates).
    const asOf = user.role === 'udvalg' ? committeeDates(notAfterExport(asOfAsked, municipality.exportDate)).asOf : asOfAsked;
    notTooLate('asOf', asOf);
    const first =
      isoParam('from', params.from) ??
      (by === 'month' ? addMonths(`${asOf.slice(0, 7)}-01`, -23) : `${Number(asOf.slice(0, 4)) - 4}-01-01`);
    const versions = await this.cache.versions();
    const { query } = await this.repository.reader(versions.lsn({ municipality: municipality.code, national: readsNational(id) }));
    let settingsLoaded: Promise<KpiSettings> | undefined;
    const settings = () => (settingsLoaded ??= this.repository.settings(municipality.code, query));
    // One request computes at most MAX_SERIES_POINTS values (each a KPI computation): a longer one is
    // refused, never cut short without saying so.
    const firstStart = by === 'month' ? `${first.slice(0, 7)}-01` : `${first.slice(0, 4)}-01-01`;
    const months =
      (Number(asOf.slice(0, 4)) - Number(firstStart.slice(0, 4))) * 12 + Number(asOf.slice(5, 7)) - Number(firstStart.slice(5, 7));
    const wanted = firstStart > asOf ? 0 : by === 'month' ? months + 1 : Math.floor(months / 12) + 1;
    if (wanted > MAX_SERIES_POINTS) {
      throw new BadRequestException(
        `En serie kan højst have ${MAX_SERIES_POINTS} punkter; denne ville have ${wanted}. Vælg en senere fra-dato eller by=year.`,
      );
    }
    // A hit when no point had to be computed.
    let hit = true;
    const inputs = this.inputs(municipality.code, query, settings);
    const starts: string[] = [];
    for (let start = firstStart; start <= asOf; start = addMonths(start, by === 'month' ? 1 : 12)) starts.push(start);
    // One memo for the request (a committee's value and its counts are one computation), the points
    // computed as an answer's KPIs are (KPI_CONCURRENCY), in order.
    const shared = answerMemo();
    const points: SeriesPoint[] = await userRequest(user, () =>
      mapLimited(starts, PER_ANSWER, async (start) => {
        const end = addMonths(start, by === 'month' ? 1 : 12);
        const last = new Date(Date.UTC(Number(end.slice(0, 4)), Number(end.slice(5, 7)) - 1, 0)).toISOString().slice(0, 10);
        const d = last < asOf ? last : asOf;
        const pointCtx = { query, municipality: municipality.code, asOf: d, period: { from: start, to: d }, teams, shared };
        const { value, hit: pointHit } = await this.value(versions, kpi, pointCtx, inputs);
        hit &&= pointHit;
        return {
          period: by === 'month' ? start.slice(0, 7) : start.slice(0, 4),
          asOf: d,
          value: (user.role === 'udvalg'
            ? await forCommittee(kpi, value, () => this.fraction(versions, kpi, pointCtx, inputs))
            : value) as KpiValue,
        };
      }),
    );
    return { body: { id, by, municipality: municipality.code, points }, hit };
  }
}
