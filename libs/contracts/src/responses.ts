import { z } from './zod';
import type { Role } from '@bu/domain';
import type { KpiValue } from './core';

// Response shapes of the API, as zod schemas: the TypeScript types (z.infer) for the API and the
// dashboard, and the OpenAPI document's response schemas (z.toJSONSchema), from one source.
// A KPI's value stays a TypeScript type (KpiValue, in index.ts): each KPI documents its own.

/** The roles (the same list as @bu/domain's ROLES, which contracts cannot import as a value: it reads files). */
export const RoleSchema = z.enum(['udvalg', 'chef', 'teamleder', 'admin']);
// Fails to compile when the two lists part.
const sameRoles: [Role, z.infer<typeof RoleSchema>] = ['' as z.infer<typeof RoleSchema>, '' as Role];
void sameRoles;

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .meta({ format: 'date' });

export const CurrentUserSchema = z
  .object({
    username: z.string(),
    role: RoleSchema,
    municipalities: z.array(z.number().int()).describe('Municipalities the user may see (codes).'),
    teams: z.array(z.string()).describe('Teams a team leader is scoped to; empty means all teams of the municipality.'),
    passwordChange: z
      .literal(true)
      .optional()
      .describe(
        'The password was given by an administrator: until the user chooses a new one (POST /api/v1/auth/password), every other call is refused (403). ADR 0117.',
      ),
  })
  .meta({ id: 'CurrentUser' });
export type CurrentUser = z.infer<typeof CurrentUserSchema>;

export const LoginResponseSchema = z.object({ token: z.string(), user: CurrentUserSchema }).meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** Logout after an OpenID Connect login: the provider's logout address, so its session ends too. */
export const LogoutResponseSchema = z.object({ redirect: z.string() }).meta({ id: 'LogoutResponse' });
export type LogoutResponse = z.infer<typeof LogoutResponseSchema>;

export const PeriodSchema = z.object({ from: IsoDate, to: IsoDate }).meta({ id: 'Period' });
export type Period = z.infer<typeof PeriodSchema>;

export const CaseworkerInfoSchema = z
  .object({ name: z.string(), team: z.string().nullable(), jobTitle: z.string().nullable(), employedTo: z.string().nullable() })
  .meta({ id: 'CaseworkerInfo' });
export type CaseworkerInfo = z.infer<typeof CaseworkerInfoSchema>;

export const HealthResponseSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: z.enum(['up', 'down']),
    queue: z.object({ backend: z.enum(['redis', 'postgres']), status: z.enum(['up', 'down']) }),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const MunicipalityInfoSchema = z
  .object({
    code: z.number().int(),
    name: z.string(),
    exportDate: IsoDate.nullable().describe('Default as-of date: the newest case-system export date (null: no data yet).'),
    maxDataAgeDays: z.number().describe('The dashboard warns when exportDate is older than this many days (setting data.max_age_days).'),
    pseudonymKeysMixed: z
      .boolean()
      .describe('Half-way through a pseudonym key rotation: its case-system sources carry different keys, and its figures are refused.'),
  })
  .meta({ id: 'MunicipalityInfo' });
export type MunicipalityInfo = z.infer<typeof MunicipalityInfoSchema>;

export const GoalSchema = z
  .object({
    id: z.number().int(),
    municipality: z.number().int(),
    kpi: z.string(),
    title: z.string(),
    policyText: z.string().nullable(),
    direction: z.enum(['>=', '<=']),
    target: z.number(),
    tolerance: z.number(),
    validFrom: IsoDate.nullable(),
    validTo: IsoDate.nullable(),
  })
  .meta({ id: 'Goal' });
export type Goal = z.infer<typeof GoalSchema>;

export const AdminCommentSchema = z
  .object({
    subjectType: z.enum(['budget', 'goal']),
    subjectKey: z.string(),
    period: z.string().describe('ÅÅÅÅ or ÅÅÅÅ-MM'),
    text: z.string(),
    author: z.string().nullable().describe('Who wrote it; null for the committee, which is shown no usernames'),
    updatedAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'AdminComment' });
export type AdminComment = z.infer<typeof AdminCommentSchema>;

export const ComparisonGroupSchema = z
  .object({ id: z.number().int(), name: z.string(), members: z.array(z.number().int()) })
  .meta({ id: 'ComparisonGroup' });
export type ComparisonGroup = z.infer<typeof ComparisonGroupSchema>;

export const NeighbourSchema = z
  .object({ code: z.number().int(), name: z.string(), distance: z.number() })
  .loose()
  .meta({ id: 'Neighbour' });
export type Neighbour = z.infer<typeof NeighbourSchema>;

export const IdResponseSchema = z.object({ id: z.number().int() }).meta({ id: 'IdResponse' });

export const UserSchema = z
  .object({
    username: z.string(),
    role: RoleSchema,
    municipality: z.number().int().nullable(),
    teams: z.array(z.string()),
    createdAt: z.string().describe('Local time, YYYY-MM-DDTHH:MI'),
    disabled: z.boolean(),
    email: z.string().nullable(),
    authSource: z
      .enum(['local', 'oidc', 'saml'])
      .describe('local: a password kept here; oidc/saml: role and teams from the group mapping at each login'),
    lastLoginAt: z.string().nullable().describe('Local time, YYYY-MM-DDTHH:MI; null: never'),
    secondFactor: z
      .boolean()
      .describe("A password user who logs in with a one-time code from an app as well (ADR 0116); set up by the operator's CLI"),
    grantEnded: z
      .boolean()
      .describe(
        'A single sign-on user whose grant Børneblik withdrew (a sign-in refused, a group mapping changed) with no login since: the stored role, teams and municipality are not current until the next login (ADR 0115)',
      ),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const SettingViewSchema = z
  .object({
    key: z.string(),
    description: z.string(),
    default: z.unknown(),
    product: z.unknown().describe('Product-wide value (municipality 0), when set.'),
    municipality: z.unknown().describe("The municipality's own value, when set."),
    value: z.unknown().describe("What the KPIs use: the municipality's, else the product-wide, else the default."),
  })
  .meta({ id: 'SettingView' });

export const ImportRunSchema = z
  .object({
    id: z.string().describe('bigint, as text'),
    municipality: z.number().int().nullable(),
    source: z.string(),
    exportDate: IsoDate.nullable(),
    status: z.string(),
    requestedBy: z.string().nullable(),
    jobId: z.string().nullable(),
    startedAt: z.string().meta({ format: 'date-time' }),
    finishedAt: z.string().meta({ format: 'date-time' }).nullable(),
    seconds: z.number().nullable(),
    files: z.unknown(),
    loaded: z.record(z.string(), z.number()),
    unchanged: z.unknown(),
    removed: z.unknown(),
    rejectedCount: z.number().int(),
    warningCount: z.number().int(),
    error: z.string().nullable(),
    sameAs: z
      .string()
      .nullable()
      .describe(
        'Set when the export matched the snapshot in force file for file and was not staged again ("uændret"): the import whose data stand.',
      ),
  })
  .meta({ id: 'ImportRun' });
export type ImportRun = z.infer<typeof ImportRunSchema>;

export const ImportIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int().nullable(),
  rule: z.string(),
  title: z.string().describe("The rule's Danish title (what a user reads instead of the id)"),
  value: z.string().nullable(),
  message: z.string(),
});

export const ImportIssuesSchema = z
  .object({
    count: z.number().int(),
    byRule: z.array(z.object({ rule: z.string(), title: z.string(), severity: z.enum(['error', 'warning']), count: z.number().int() })),
    rows: z.array(ImportIssueSchema),
  })
  .meta({ id: 'ImportIssues' });
export type ImportIssues = z.infer<typeof ImportIssuesSchema>;

export const UploadResponseSchema = z.object({ jobId: z.string().optional(), files: z.array(z.string()) }).meta({ id: 'UploadResponse' });

/** A KPI's value: its shape is the KPI's (docs/KPIS.md; the TypeScript types in index.ts). */
export const KpiValueSchema = z.custom<KpiValue>().describe("The KPI's value, as the KPI catalogue (docs/KPIS.md) defines it");

/** The two counts a share or rate rests on: so a small share can say its n ("3 af 4"). */
export const FractionSchema = z.object({ numerator: z.number(), denominator: z.number() }).meta({ id: 'Fraction' });
export type FractionCounts = z.infer<typeof FractionSchema>;

/** GET /api/v1/kpis/<id>/series: the KPI per month or year (D = the period's last day, or D itself for the last). */
export const SeriesPointSchema = z
  .object({
    period: z.string().describe('YYYY for a year, YYYY-MM for a month.'),
    asOf: IsoDate.describe('The as-of date the point was computed for.'),
    value: KpiValueSchema,
  })
  .meta({ id: 'SeriesPoint' });
export type SeriesPoint = z.infer<typeof SeriesPointSchema>;

export const SeriesResponseSchema = z
  .object({ id: z.string(), by: z.enum(['month', 'year']), municipality: z.number().int(), points: z.array(SeriesPointSchema) })
  .meta({ id: 'SeriesResponse' });
export type SeriesResponse = z.infer<typeof SeriesResponseSchema>;

export const KpiResponseSchema = z
  .object({
    asOf: IsoDate,
    period: PeriodSchema,
    municipality: z.number().int(),
    kpis: z.record(z.string(), KpiValueSchema),
    basis: z
      .record(z.string(), FractionSchema)
      .optional()
      .describe(
        'For each share or rate asked for (a KPI computed from two counts): the counts, value = numerator / denominator × its scale; absent when there is nothing to divide by. Never sent to the committee.',
      ),
    lastYear: z
      .object({
        asOf: IsoDate,
        period: PeriodSchema,
        kpis: z.record(z.string(), KpiValueSchema),
        change: z
          .record(z.string(), z.number().nullable())
          .describe("value at D − value at the same date last year, in the KPI's unit; null when either is missing or withheld"),
      })
      .optional()
      .describe('Asked with compare=lastYear: every KPI again at D and P one year earlier, and the change.'),
    dimensions: z
      .object({
        caseworker: z.record(z.string(), CaseworkerInfoSchema).optional(),
        municipality: z.record(z.string(), z.string()).optional(),
      })
      .optional()
      .describe('Labels for keys used in per-caseworker objects (caseworker id in the source → name, team), and municipality names.'),
    lights: z
      .record(z.string(), z.object({ green: z.number(), yellow: z.number() }))
      .optional()
      .describe(
        "The traffic-light limits of the asked KPIs that have one, from the municipality's settings: green up to `green`, yellow up to `yellow`, red above.",
      ),
  })
  .meta({ id: 'KpiResponse' });
export type KpiResponse = z.infer<typeof KpiResponseSchema>;

/** One report in the archive (GET /reports); the PDF itself at /reports/{id}/pdf. */
export const ReportSchema = z
  .object({
    id: z.string(),
    municipality: z.number().int(),
    asOf: IsoDate,
    madeAt: z.string().describe('ISO 8601'),
    madeBy: z
      .string()
      .nullable()
      .describe("'planlagt' (the schedule) or the administrator who asked; null for the committee, which is shown no usernames"),
    recipients: z.array(z.string()).describe('E-mail addresses; none for the committee'),
    sendResult: z.string().describe('In Danish, e.g. "sendt til 2 modtagere" or "ikke sendt: SMTP er ikke sat op"'),
    sentAt: z.string().nullable(),
    bytes: z.number().int(),
  })
  .meta({ id: 'Report' });
export type Report = z.infer<typeof ReportSchema>;

/** A municipality's monthly report schedule (the defaults until the administrator sets one). */
export const ReportScheduleSchema = z
  .object({
    municipality: z.number().int(),
    enabled: z.boolean(),
    dayOfMonth: z.number().int(),
    hour: z.number().int(),
    recipients: z.array(z.string()),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ReportSchedule' });
export type ReportScheduleView = z.infer<typeof ReportScheduleSchema>;

export const JobQueuedSchema = z.object({ jobId: z.string() }).meta({ id: 'JobQueued' });
export type JobQueued = z.infer<typeof JobQueuedSchema>;

/** GET/PUT /me/preferences. */
export const PreferencesSchema = z
  .object({
    weeklyMail: z.boolean(),
    email: z.string().nullable(),
    /** Whether the weekly e-mail is for the user's role at all (team leaders and chiefs). */
    weeklyMailForRole: z.boolean(),
    /** Whether the user logs in with a password kept by Børneblik, which they may change (POST /api/v1/auth/password); false for single sign-on. */
    password: z.boolean(),
  })
  .meta({ id: 'Preferences' });
export type Preferences = z.infer<typeof PreferencesSchema>;
export const PasswordResetSchema = z
  .object({ username: z.string(), password: z.string().describe('The new password, shown once; never stored in clear') })
  .meta({ id: 'PasswordReset' });
export type PasswordReset = z.infer<typeof PasswordResetSchema>;

export const AuditRowSchema = z
  .object({
    id: z.string().describe('bigint, as text'),
    at: z.string().meta({ format: 'date-time' }),
    username: z.string(),
    role: z.string(),
    action: z.string().describe('login, login.failed, refused, change, kpi:<ids>, read:…'),
    municipality: z.number().int().nullable(),
    cases: z.array(z.string()).describe('The case numbers the answer showed'),
    method: z.string().nullable(),
    path: z.string().nullable(),
    status: z.number().int().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'AuditRow' });
export type AuditRow = z.infer<typeof AuditRowSchema>;

export const AuditPageSchema = z
  .object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), rows: z.array(AuditRowSchema) })
  .meta({ id: 'AuditPage' });
export type AuditPage = z.infer<typeof AuditPageSchema>;

export const DropFolderSchema = z
  .object({
    id: z.number().int(),
    municipality: z.number().int().nullable(),
    source: z.string(),
    path: z.string(),
    checkedAt: z.string().meta({ format: 'date-time' }).nullable().describe('The last check'),
    importedChecksum: z.string().nullable().describe('The checksum of the last delivery queued for import'),
    lastError: z.string().nullable(),
    lastImport: z
      .object({
        id: z.string(),
        status: z.string(),
        startedAt: z.string().meta({ format: 'date-time' }),
        finishedAt: z.string().meta({ format: 'date-time' }).nullable(),
        rejectedCount: z.number().int(),
        error: z.string().nullable(),
      })
      .nullable()
      .describe('The newest import run the folder made'),
  })
  .meta({ id: 'DropFolder' });
export type DropFolder = z.infer<typeof DropFolderSchema>;

export const DropFoldersSchema = z
  .object({
    intervalMinutes: z.number().describe('How often the worker checks the folders (DROP_FOLDER_INTERVAL_MS)'),
    folders: z.array(DropFolderSchema),
  })
  .meta({ id: 'DropFolders' });
export type DropFolders = z.infer<typeof DropFoldersSchema>;

export const JobActionSchema = z.object({ id: z.string(), state: z.string() }).meta({ id: 'JobAction' });

/** A group of the identity provider and what it gives in Børneblik. */
export const GroupMappingSchema = z
  .object({ id: z.number().int(), municipality: z.number().int(), group: z.string(), role: RoleSchema, teams: z.array(z.string()) })
  .meta({ id: 'GroupMapping' });
export type GroupMapping = z.infer<typeof GroupMappingSchema>;

export const LoginPolicySchema = z
  .object({ municipality: z.number().int(), passwordLogin: z.boolean().describe('Whether local passwords log in for this municipality') })
  .meta({ id: 'LoginPolicy' });
export type LoginPolicy = z.infer<typeof LoginPolicySchema>;

/** The organisation's login buttons on the login page (none when single sign-on is not set up). */
export const AuthProvidersSchema = z
  .object({
    providers: z.array(z.object({ id: z.enum(['oidc', 'saml']), label: z.string(), loginUrl: z.string() })),
  })
  .meta({ id: 'AuthProviders' });
export type AuthProviders = z.infer<typeof AuthProvidersSchema>;
