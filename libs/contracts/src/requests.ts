import { isIsoDate } from '@bu/domain';
import { committeeText } from './free-text';
import { z } from './zod';

// Request shapes of the API: bodies and query strings, with the Danish message each rule answers
// with (400). The API applies them with one pipe (apps/api/src/validation); the dashboard builds
// its requests from the same types. Rules that need the server's data (the KPI catalogue, the
// municipalities, the user's scope) stay in the API's services.
//
// A rule without its own message answers with requestError's (in Danish, naming the field).
//
// Query strings arrive as text: their schemas check the shape, and the services parse the values
// (a page size out of range is clamped, not refused).

/** The message for a rule without its own: the field, and that its value cannot be used. */
export const requestError = (issue: { path?: PropertyKey[] }): string =>
  issue.path?.length ? `Ugyldig værdi for ${issue.path.map(String).join('.')}` : 'Ugyldig forespørgsel';

/** `?municipality=`: a municipality code; default the user's own. */
const municipality = z.string().optional().describe("Kommunekode; default the user's own");

/** The query string of a GET that reads one municipality's data. */
export const MunicipalityQuerySchema = z.object({ municipality });
export type MunicipalityQuery = z.infer<typeof MunicipalityQuerySchema>;

export const GoalBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    kpi: z.string({ error: (issue) => `Et mål skal pege på et nøgletal med én værdi: ${String(issue.input)}` }),
    // The committee reads the goals and their comments (and the monthly report prints them): no
    // CPR numbers and no names.
    title: committeeText('Målets titel', 200).refine((t) => t.trim() !== '', { error: 'Målet skal have en titel' }),
    policyText: committeeText('Den politiske tekst', 4000).nullish(),
    direction: z.enum(['>=', '<='], { error: 'direction skal være >= eller <=' }),
    target: z.number({ error: 'target skal være et tal i nøgletallets enhed' }),
    tolerance: z.number({ error: 'tolerance skal være et tal ≥ 0' }).min(0, { error: 'tolerance skal være et tal ≥ 0' }).optional(),
    validFrom: z.string().nullish().describe('YYYY-MM-DD'),
    validTo: z.string().nullish().describe('YYYY-MM-DD'),
  })
  .meta({ id: 'GoalBody' });
export type GoalBody = z.infer<typeof GoalBodySchema>;

export const CommentsQuerySchema = z.object({ municipality, period: z.string().optional().describe('e.g. 2026 or 2026-03') });

const subjectKeyAndPeriod = 'subjectKey og period (ÅÅÅÅ eller ÅÅÅÅ-MM) skal angives';
export const CommentBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    subjectType: z.enum(['budget', 'goal'], { error: 'subjectType skal være budget eller goal' }),
    subjectKey: z.string({ error: subjectKeyAndPeriod }).min(1, { error: subjectKeyAndPeriod }),
    // A year or a month that exists (the retention purge counts from the period's end).
    period: z.string({ error: subjectKeyAndPeriod }).regex(/^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$/, { error: subjectKeyAndPeriod }),
    text: committeeText('Kommentaren', 2000).refine((t) => t.trim() !== '', { error: 'Kommentaren skal have 1-2000 tegn' }),
  })
  .meta({ id: 'CommentBody' });
export type CommentBody = z.infer<typeof CommentBodySchema>;

const commentKey = 'subjectType, subjectKey og period skal angives';
export const CommentKeyQuerySchema = z.object({
  subjectType: z.string({ error: commentKey }).min(1, { error: commentKey }),
  subjectKey: z.string({ error: commentKey }).min(1, { error: commentKey }),
  period: z.string({ error: commentKey }).min(1, { error: commentKey }),
  municipality,
});

export const SuggestedQuerySchema = z.object({
  municipality,
  size: z.string().default('10').describe('How many neighbours, 1-97; default 10'),
});

export const ComparisonGroupBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    // The committee reads the groups' names: no CPR numbers and no names in them (committeeText).
    name: z
      .string({ error: 'Gruppen skal have et navn (højst 100 tegn)' })
      .refine((n) => n.trim() !== '' && n.length <= 100, { error: 'Gruppen skal have et navn (højst 100 tegn)' })
      .pipe(committeeText('Gruppens navn', 100)),
    members: z
      .array(z.number({ error: 'members skal være en liste af kommunekoder' }), { error: 'members skal være en liste af kommunekoder' })
      .min(1, { error: 'members skal være en liste af kommunekoder' })
      .describe('Municipality codes; the API checks each is one'),
  })
  .meta({ id: 'ComparisonGroupBody' });
export type ComparisonGroupBody = z.infer<typeof ComparisonGroupBodySchema>;

/** A new user: the rules (name, role, password length, municipality, teams) are the API's and the CLI's. */
export const CreateUserBodySchema = z
  .object({
    username: z.unknown().describe('2-64 letters, digits, . _ -'),
    password: z.unknown().describe('At least 10 characters'),
    role: z.unknown().describe('udvalg, chef, teamleder or admin'),
    municipality: z.unknown().optional().describe("A municipality code; default the administrator's own"),
    teams: z.unknown().optional().describe("A team leader's teams (at least one)"),
    email: z.unknown().optional().describe('For reports and the weekly e-mail; optional'),
  })
  .meta({ id: 'CreateUserBody' });

/** A password user chooses a new password (ADR 0117): after an administrator's, or at will. */
export const PasswordChangeBodySchema = z
  .object({
    password: z.string({ error: 'Skriv din nuværende adgangskode' }).max(1024, { error: 'Adgangskoden er for lang' }),
    newPassword: z
      .string({ error: 'Skriv en ny adgangskode' })
      .min(10, { error: 'Den nye adgangskode skal være mindst 10 tegn.' })
      .max(1024, { error: 'Den nye adgangskode må højst være 1024 tegn.' }),
  })
  .meta({ id: 'PasswordChangeBody' });
export type PasswordChangeBody = z.infer<typeof PasswordChangeBodySchema>;

export const UserPatchBodySchema = z
  .object({
    disabled: z.boolean({ error: 'disabled skal være true eller false' }).optional(),
    role: z
      .enum(['udvalg', 'chef', 'teamleder', 'admin'], {
        error: (issue) => `Ukendt rolle: ${String(issue.input)} (udvalg, chef, teamleder eller admin)`,
      })
      .optional(),
    municipality: z
      .number({ error: 'municipality skal være en kommunekode' })
      .int({ error: 'municipality skal være en kommunekode' })
      .nullable()
      .optional()
      .describe('A product administrator only; null: every municipality (admin)'),
    teams: z
      .array(z.string({ error: 'teams skal være en liste af teamnavne' }), { error: 'teams skal være en liste af teamnavne' })
      .optional()
      .describe("A team leader's teams (at least one)"),
    email: z
      .string({ error: 'Ugyldig e-mailadresse' })
      .max(254, { error: 'Ugyldig e-mailadresse' })
      .nullable()
      .optional()
      .describe('Empty or null: none'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    error: 'Angiv mindst én ændring (disabled, role, municipality, teams eller email)',
  })
  .meta({ id: 'UserPatchBody' });
export type UserPatchBody = z.infer<typeof UserPatchBodySchema>;

// A date of the calendar (isIsoDate), not only its shape: 30 February or the year 0 reached the
// database and failed there (500).
const isoDate = (field: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${field} skal være en dato (ÅÅÅÅ-MM-DD)` })
    .refine(isIsoDate, { error: `${field} skal være en dato (ÅÅÅÅ-MM-DD)` })
    .optional()
    .describe('YYYY-MM-DD');

/** A whole number written in digits (at most `digits`): `1.5` or `1e400` reached the database as no integer (500). */
const wholeNumber = (field: string, maxDigits: number, rule: string) =>
  z.string().regex(new RegExp(`^\\d{1,${maxDigits}}$`), { error: `${field} skal være et helt tal ${rule}` });

/** GET /audit: the audit log, searched and paged (administrators). */
export const AuditQuerySchema = z.object({
  user: z.string().max(100, { error: 'Brugernavnet er for langt' }).optional().describe('Exact username'),
  case: z.string().max(100, { error: 'Sagsnummeret er for langt' }).optional().describe('A case number among the cases seen'),
  from: isoDate('from'),
  to: isoDate('to'),
  municipality: z.string().optional().describe('Kommunekode (product administrators); default every municipality they see'),
  page: z
    .string()
    .regex(/^\d{1,6}$/, { error: 'page skal være et sidetal fra 1' })
    .default('1'),
  pageSize: z
    .string()
    .regex(/^\d{1,4}$/, { error: 'pageSize skal være et tal fra 1 til 1000' })
    .default('100')
    .describe('1-1000; default 100'),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const SettingBodySchema = z
  .object({
    municipality: z
      .union([z.number(), z.string()], { error: (issue) => `Ukendt kommunekode: ${String(issue.input)}` })
      .optional()
      .describe('0 = product-wide (national administrators only)'),
    value: z.unknown().describe("The setting's value; its rules are the KPI library's"),
  })
  .meta({ id: 'SettingBody' });

export const ImportsQuerySchema = z.object({
  limit: wholeNumber('limit', 6, 'fra 1 til 500').default('50').describe('Runs, 1-500; default 50'),
  source: z.string().optional().describe('dubu, csc, economy, statistics or purge'),
  status: z.string().optional().describe('running, succeeded or failed'),
  from: isoDate('from').describe('Started on or after this day'),
  to: isoDate('to').describe('Started on or before this day'),
});

export const ImportIssuesQuerySchema = z.object({
  severity: z.string().optional().describe('error or warning'),
  offset: wholeNumber('offset', 15, 'fra 0').default('0'),
  limit: wholeNumber('limit', 6, 'fra 1 til 1000').default('100').describe('Rows, 1-1000; default 100'),
});

export const JobsQuerySchema = z.object({
  state: z.string().default('failed').describe('waiting, active, completed, failed or delayed'),
});

/** GET /kpis. */
export const KpisQuerySchema = z.object({
  municipality,
  asOf: z.string().optional().describe('As-of date D; default the newest export date'),
  from: z.string().optional().describe("Period start; default 1 January of D's year"),
  to: z.string().optional().describe('Period end; default D'),
  ids: z.string().optional().describe('Comma-separated KPI ids; default every KPI the role may read'),
  group: z.string().optional().describe('Benchmarks: comma-separated municipality codes to compare with; default all'),
  groupId: z.string().optional().describe('Benchmarks: a saved comparison group of the municipality'),
  compare: z
    .enum(['lastYear'], { error: 'compare kan kun være lastYear (samme dato sidste år)' })
    .optional()
    .describe(
      'lastYear: each KPI also at the same date last year (D and P one year earlier; 29 February → 28 February), with the change; only for KPIs with one number',
    ),
  sort: z.string().optional().describe('Lists: comma-separated fields, "-" first for descending, e.g. -daysOverdue,case'),
  filter: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Lists: field:value, repeatable; field: (empty) matches rows without a value, e.g. worker:'),
  offset: z.string().optional().describe('Lists: rows to skip; default 0'),
  limit: z.string().optional().describe('Lists: rows per page, 1-1000; without it at most 1000 rows, `truncated: true` when cut'),
});
export type KpisQuery = z.infer<typeof KpisQuerySchema>;

/** GET /kpis/{id}/series. */
export const SeriesQuerySchema = z.object({
  municipality,
  asOf: z.string().optional().describe('As-of date D of the last point; default the newest export date'),
  from: z.string().optional().describe('First period start; default 24 months or 5 years before the as-of date'),
  by: z.string().optional().describe('month (default) or year'),
});
export type SeriesQuery = z.infer<typeof SeriesQuerySchema>;

// The committee's monthly report and the weekly e-mail (issue 15, points 4 and 5; ADR 0052).

const email = z
  .string({ error: 'Modtageren skal være en e-mailadresse' })
  .trim()
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: (issue) => `Ugyldig e-mailadresse: ${String(issue.input)}` });

/** PUT /reports/schedule: a municipality's monthly report (administrator). */
export const ReportScheduleBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    enabled: z.boolean({ error: 'enabled skal være true eller false' }),
    dayOfMonth: z
      .number({ error: 'Dagen i måneden skal være et helt tal fra 1 til 28' })
      .int({ error: 'Dagen i måneden skal være et helt tal fra 1 til 28' })
      .min(1, { error: 'Dagen i måneden skal være et helt tal fra 1 til 28' })
      .max(28, { error: 'Dagen i måneden skal være et helt tal fra 1 til 28' }),
    hour: z
      .number({ error: 'Klokkeslættet skal være en hel time fra 0 til 23' })
      .int({ error: 'Klokkeslættet skal være en hel time fra 0 til 23' })
      .min(0, { error: 'Klokkeslættet skal være en hel time fra 0 til 23' })
      .max(23, { error: 'Klokkeslættet skal være en hel time fra 0 til 23' }),
    recipients: z.array(email, { error: 'Modtagerne skal være en liste af e-mailadresser' }).max(50, { error: 'Højst 50 modtagere' }),
  })
  .meta({ id: 'ReportScheduleBody' });
export type ReportScheduleBody = z.infer<typeof ReportScheduleBodySchema>;

/** POST /reports: make the committee's report now (administrator). */
export const MakeReportBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    asOf: z
      .string({ error: 'Opgørelsesdatoen skal være en dato (ÅÅÅÅ-MM-DD)' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'Opgørelsesdatoen skal være en dato (ÅÅÅÅ-MM-DD)' })
      .refine(isIsoDate, { error: 'Opgørelsesdatoen skal være en dato (ÅÅÅÅ-MM-DD)' })
      .optional()
      .describe('D; default the newest export date, moved to the month end like the committee view'),
    send: z.boolean({ error: 'send skal være true eller false' }).optional().describe('Send to the recipients (default true)'),
  })
  .meta({ id: 'MakeReportBody' });
export type MakeReportBody = z.infer<typeof MakeReportBodySchema>;

/** PUT /me/preferences: the caller's own choices. */
export const PreferencesBodySchema = z
  .object({ weeklyMail: z.boolean({ error: 'weeklyMail skal være true eller false' }) })
  .meta({ id: 'PreferencesBody' });
export type PreferencesBody = z.infer<typeof PreferencesBodySchema>;
// Single sign-on (issue 15): the group mapping the administrator edits, the password-login switch
// and the one-time ticket the web app exchanges after the provider's callback.
const teamsRule = 'teams skal være en liste af teamnavne';
export const GroupMappingBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    group: z
      .string({ error: 'Gruppen skal have et navn eller id (1-256 tegn)' })
      .trim()
      .min(1, { error: 'Gruppen skal have et navn eller id (1-256 tegn)' })
      .max(256, { error: 'Gruppen skal have et navn eller id (1-256 tegn)' }),
    role: z.enum(['udvalg', 'chef', 'teamleder', 'admin'], { error: 'role skal være udvalg, chef, teamleder eller admin' }),
    teams: z.array(z.string({ error: teamsRule }).trim().min(1, { error: teamsRule }), { error: teamsRule }).default([]),
  })
  .refine((m) => m.role !== 'teamleder' || m.teams.length > 0, {
    error: 'En gruppe med rollen teamleder skal give mindst ét team',
    path: ['teams'],
  })
  .meta({ id: 'GroupMappingBody' });
export type GroupMappingBody = z.infer<typeof GroupMappingBodySchema>;

export const LoginPolicyBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    passwordLogin: z.boolean({ error: 'passwordLogin skal være true eller false' }),
  })
  .meta({ id: 'LoginPolicyBody' });
export type LoginPolicyBody = z.infer<typeof LoginPolicyBodySchema>;

export const SsoExchangeBodySchema = z
  .object({ ticket: z.string({ error: 'Log ind-billetten mangler' }).min(1, { error: 'Log ind-billetten mangler' }).max(200) })
  .meta({ id: 'SsoExchangeBody' });

/** POST /auth/saml/acs: the identity provider's HTTP-POST form. A missing response gets the Danish login-failure page. */
export const SamlAcsBodySchema = z.object({
  SAMLResponse: z.string({ error: 'SAMLResponse skal være tekst' }).optional().describe('The base64 SAML response'),
  RelayState: z.string().optional().describe('Not used'),
});
export type SamlAcsBody = z.infer<typeof SamlAcsBodySchema>;
