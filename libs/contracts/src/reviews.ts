import { isIsoDate, parseLegalBasis } from '@bu/domain';
import { committeeText, screenedText } from './free-text';
import { z } from './zod';
import { ACTION_AREA_STATUSES, REVIEW_ANSWERS, REVIEW_STATUSES } from './review-values';

// Case review (issue 16): rounds of ledelsestilsyn and sagsgennemgang, their cases and the
// checklist's answers. The item ids and answers are the contract's (../shared/domain/CASE-REVIEW.md).
// Every free text is screened for CPR numbers before it is stored (a Danish 400).

/** A free text a reviewer writes: at most `max` characters and nothing that may be a CPR number. */
const freeText = (field: string, max: number) =>
  screenedText(field, max, 'Skriv aldrig CPR-numre i en sagsgennemgang; sagsnummeret er nok.');

/** A free text for the committee: screened for CPR numbers and names (committeeText). */
const nameless = (field: string, max: number) =>
  committeeText(field, max, 'Skriv aldrig CPR-numre, sagsnumre eller navne i en tekst, som udvalget læser.');

/** The largest value of an integer column (a serial id, a version): a larger number failed in the database (500). */
const MAX_INT = 2147483647;

const seed = z
  .number({ error: 'seed skal være et heltal mellem 0 og 2147483647' })
  .int({ error: 'seed skal være et heltal mellem 0 og 2147483647' })
  .min(0, { error: 'seed skal være et heltal mellem 0 og 2147483647' })
  .max(2147483647, { error: 'seed skal være et heltal mellem 0 og 2147483647' })
  .optional()
  .describe('Integer; the same seed on the same data draws the same cases. Absent: the API picks one and stores it');

const caseNumber = z
  .string({ error: 'Sagsnummeret skal være tekst' })
  .trim()
  .min(1, { error: 'Sagsnummeret mangler' })
  .max(64, { error: 'Sagsnummeret må højst have 64 tegn' });

const paragraphRule = 'paragraph skal være en lovparagraf med lov, fx "BL § 46" eller "SEL § 52, stk. 3"';

export const ReviewSamplingSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.object({
        kind: z.literal('random_per_caseworker'),
        perCaseworker: z
          .number({ error: 'perCaseworker skal være et heltal fra 1 til 50' })
          .int({ error: 'perCaseworker skal være et heltal fra 1 til 50' })
          .min(1, { error: 'perCaseworker skal være et heltal fra 1 til 50' })
          .max(50, { error: 'perCaseworker skal være et heltal fra 1 til 50' }),
        seed,
      }),
      z.object({
        kind: z.literal('random_by_family'),
        family: z.enum(['placement', 'preventive'], { error: 'family skal være placement eller preventive' }),
        count: z
          .number({ error: 'count skal være et heltal fra 1 til 500' })
          .int({ error: 'count skal være et heltal fra 1 til 500' })
          .min(1, { error: 'count skal være et heltal fra 1 til 500' })
          .max(500, { error: 'count skal være et heltal fra 1 til 500' }),
        seed,
      }),
      z.object({
        kind: z.literal('random_by_paragraph'),
        paragraph: z
          .string({ error: paragraphRule })
          .refine((p) => parseLegalBasis(p) !== null, { error: paragraphRule })
          .describe('A legal paragraph, e.g. "BL § 46" or "SEL § 52, stk. 3"; a measure under it or a part of it counts'),
        count: z
          .number({ error: 'count skal være et heltal fra 1 til 500' })
          .int({ error: 'count skal være et heltal fra 1 til 500' })
          .min(1, { error: 'count skal være et heltal fra 1 til 500' })
          .max(500, { error: 'count skal være et heltal fra 1 til 500' }),
        seed,
      }),
      z.object({
        kind: z.literal('chosen'),
        cases: z
          .array(z.object({ case: caseNumber, forklaede: freeText('Forklædet', 4000).nullish() }), {
            error: 'cases skal være en liste af sager',
          })
          .min(1, { error: 'Vælg mindst én sag' })
          .max(200, { error: 'Højst 200 sager i én gennemgang' })
          .refine((cs) => new Set(cs.map((c) => c.case)).size === cs.length, { error: 'En sag er valgt to gange' }),
      }),
    ],
    { error: 'sampling.kind skal være random_per_caseworker, random_by_family, random_by_paragraph eller chosen' },
  )
  .meta({ id: 'ReviewSampling' });
export type ReviewSampling = z.infer<typeof ReviewSamplingSchema>;

export const ReviewBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    title: freeText('Titlen', 200).refine((t) => t.trim() !== '', { error: 'Gennemgangen skal have en titel' }),
    purpose: freeText('Formålet', 4000).nullish(),
    asOf: z
      .string({ error: 'asOf skal være en dato (ÅÅÅÅ-MM-DD)' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'asOf skal være en dato (ÅÅÅÅ-MM-DD)' })
      .refine(isIsoDate, { error: 'asOf skal være en dato (ÅÅÅÅ-MM-DD)' })
      .optional()
      .describe("YYYY-MM-DD; default the municipality's newest export date"),
    checklistVersion: z
      .number({ error: 'checklistVersion skal være et versionsnummer' })
      .int({ error: 'checklistVersion skal være et versionsnummer' })
      .min(1, { error: 'checklistVersion skal være et versionsnummer' })
      .max(MAX_INT, { error: 'checklistVersion skal være et versionsnummer' })
      .optional()
      .describe('Default the newest checklist the municipality has'),
    sampling: ReviewSamplingSchema,
  })
  .meta({ id: 'ReviewBody' });
export type ReviewBody = z.infer<typeof ReviewBodySchema>;

export const ReviewCaseBodySchema = z
  .object({
    status: z.enum(REVIEW_STATUSES, { error: 'status skal være ikke_startet, i_gang eller faerdig' }).optional(),
    forklaede: freeText('Forklædet', 4000).nullish(),
    summary: freeText('Resuméet', 8000).nullish(),
    learningQuestion: freeText('Læringsspørgsmålet', 2000).nullish(),
    items: z
      .array(
        z.object({
          id: z.string({ error: 'Punktets id mangler' }),
          answer: z.enum(REVIEW_ANSWERS, { error: 'answer skal være ja, delvist, nej, ikke_relevant eller null' }).nullable(),
          note: freeText('Noten', 4000).nullish(),
        }),
        { error: 'items skal være en liste af svar' },
      )
      .max(100, { error: 'Højst 100 svar ad gangen' })
      .optional(),
  })
  .meta({ id: 'ReviewCaseBody' });
export type ReviewCaseBody = z.infer<typeof ReviewCaseBodySchema>;

export const ReviewItemSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['formal', 'professional']),
    answer: z.enum(REVIEW_ANSWERS).nullable(),
    /** data: the product's own answer (formal items); reviewer: given or corrected by the reviewer. */
    source: z.enum(['data', 'reviewer']),
    /** Formal items: what the data says, also when the reviewer corrected it. */
    dataAnswer: z.enum(['ja', 'nej', 'ikke_relevant']).nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'ReviewItem' });
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ReviewCaseSchema = z
  .object({
    case: z.string(),
    /** The responsible caseworker at the round's date (id in the source), null when nobody. */
    caseworker: z.string().nullable(),
    team: z.string(),
    chosen: z.boolean(),
    forklaede: z.string().nullable(),
    summary: z.string().nullable(),
    learningQuestion: z.string().nullable(),
    status: z.enum(REVIEW_STATUSES),
    items: z.array(ReviewItemSchema),
  })
  .meta({ id: 'ReviewCase' });
export type ReviewCase = z.infer<typeof ReviewCaseSchema>;

export const ChecklistItemSchema = z
  .object({ id: z.string(), kind: z.enum(['formal', 'professional']), title: z.string() })
  .meta({ id: 'ChecklistItem' });

const roundFields = {
  id: z.number().int(),
  municipality: z.number().int(),
  title: z.string(),
  purpose: z.string().nullable(),
  asOf: z.string(),
  checklistVersion: z.number().int(),
  /** The sampling as asked, with the seed it used. */
  sampling: z.record(z.string(), z.unknown()),
  /** How many cases the sampling asked for, and how many it found (fewer when fewer exist). */
  requested: z.number().int(),
  found: z.number().int(),
  createdBy: z.string(),
  createdAt: z.string(),
};

export const ReviewSchema = z
  .object({
    ...roundFields,
    /** Danish, when the round found fewer cases than asked for. */
    notice: z.string().nullable(),
    checklist: z.array(ChecklistItemSchema),
    cases: z.array(ReviewCaseSchema),
  })
  .meta({ id: 'Review' });
export type Review = z.infer<typeof ReviewSchema>;

export const ReviewSummarySchema = z
  .object({
    ...roundFields,
    /** The cases the caller may see, and how many of them are done. */
    cases: z.number().int(),
    done: z.number().int(),
  })
  .meta({ id: 'ReviewSummary' });
export type ReviewSummary = z.infer<typeof ReviewSummarySchema>;

const fact = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const ReviewCaseDetailSchema = z
  .object({
    round: z.number().int(),
    asOf: z.string(),
    review: ReviewCaseSchema,
    checklist: z.array(ChecklistItemSchema),
    /** What the product knows of the case at the round's date. */
    facts: z.object({
      opened: z.string(),
      closed: z.string().nullable(),
      area: z.string(),
      measures: z.array(fact),
      investigations: z.array(fact),
      plans: z.array(fact),
      conversations: z.array(fact),
      followups: z.array(fact),
      visits: z.array(fact),
      notifications: z.array(fact),
    }),
  })
  .meta({ id: 'ReviewCaseDetail' });
export type ReviewCaseDetail = z.infer<typeof ReviewCaseDetailSchema>;

const isoDate = (field: string) =>
  z
    .string({ error: `${field} skal være en dato (ÅÅÅÅ-MM-DD)` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${field} skal være en dato (ÅÅÅÅ-MM-DD)` })
    .refine(isIsoDate, { error: `${field} skal være en dato (ÅÅÅÅ-MM-DD)` });

const participantsRule = 'Deltagerne angives som 1-20 roller (fx Rådgivere, Teamleder), hver med 1-100 tegn';

export const ReviewMeetingBodySchema = z
  .object({
    date: isoDate('date'),
    participants: z
      .array(
        freeText('En deltagerrolle', 100).refine((t) => t.trim() !== '', { error: participantsRule }),
        { error: participantsRule },
      )
      .min(1, { error: participantsRule })
      .max(20, { error: participantsRule }),
    cases: z
      .array(caseNumber, { error: 'cases skal være en liste af sagsnumre fra gennemgangen' })
      .max(200, { error: 'Højst 200 sager pr. møde' })
      .refine((cs) => new Set(cs).size === cs.length, { error: 'En sag er nævnt to gange' })
      .default([]),
    notes: freeText('Referatet', 20000).nullish(),
  })
  .meta({ id: 'ReviewMeetingBody' });
export type ReviewMeetingBody = z.infer<typeof ReviewMeetingBodySchema>;

export const ReviewMeetingSchema = z
  .object({
    id: z.number().int(),
    round: z.number().int(),
    date: z.string(),
    participants: z.array(z.string()),
    cases: z.array(z.string()),
    notes: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ReviewMeeting' });
export type ReviewMeeting = z.infer<typeof ReviewMeetingSchema>;

export const ActionAreaBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    round: z
      .number({ error: 'round skal være en gennemgangs id' })
      .int({ error: 'round skal være en gennemgangs id' })
      .min(1, { error: 'round skal være en gennemgangs id' })
      .max(MAX_INT, { error: 'round skal være en gennemgangs id' })
      .nullish(),
    title: nameless('Titlen', 200).refine((t) => t.trim() !== '', { error: 'Indsatsområdet skal have en titel' }),
    why: nameless('Begrundelsen', 4000).nullish(),
    owner: nameless('Ejeren', 200).refine((t) => t.trim() !== '', { error: 'Indsatsområdet skal have en ejer (en rolle eller et team)' }),
    due: isoDate('due').nullish(),
    status: z.enum(ACTION_AREA_STATUSES, { error: 'status skal være planlagt, i_gang, gennemfoert eller opgivet' }).default('planlagt'),
    items: z
      .array(z.string({ error: 'items skal være tjeklistepunkter' }), { error: 'items skal være tjeklistepunkter' })
      .max(50, { error: 'Højst 50 tjeklistepunkter' })
      .default([])
      .describe('Checklist item ids the action area answers (its findings)'),
    kpi: z.string({ error: 'kpi skal være et nøgletals id' }).nullish().describe('A KPI id whose trend is shown beside it'),
  })
  .meta({ id: 'ActionAreaBody' });
export type ActionAreaBody = z.infer<typeof ActionAreaBodySchema>;

export const ActionAreaSchema = z
  .object({
    id: z.number().int(),
    municipality: z.number().int(),
    round: z.number().int().nullable(),
    title: z.string(),
    why: z.string().nullable(),
    owner: z.string(),
    due: z.string().nullable(),
    status: z.enum(ACTION_AREA_STATUSES),
    items: z.array(z.string()),
    kpi: z.string().nullable(),
    createdBy: z.string().nullable().describe('Who made it; null for the committee, which is shown no usernames'),
    updatedAt: z.string(),
  })
  .meta({ id: 'ActionArea' });
export type ActionArea = z.infer<typeof ActionAreaSchema>;

const optionalDate = (field: string) =>
  z
    .string()
    .optional()
    .refine((d) => d === undefined || d === '' || isIsoDate(d), { error: `${field} skal være en dato (ÅÅÅÅ-MM-DD)` });

export const ReviewResultsQuerySchema = z.object({
  municipality: z.string().optional().describe("Kommunekode; default the user's own"),
  from: optionalDate('from').describe("YYYY-MM-DD: rounds dated from; default 1 January of to's year"),
  to: optionalDate('to').describe("YYYY-MM-DD: rounds dated up to; default the municipality's newest export date"),
});
export type ReviewResultsQuery = z.infer<typeof ReviewResultsQuerySchema>;

const count = z.union([z.number().int(), z.object({ suppressed: z.literal(true) })]);
const share = z.union([z.number(), z.null(), z.object({ suppressed: z.literal(true) })]);

/** One checklist item over the reviewed cases: judged (answered ja, delvist or nej), not met (nej or delvist), the share not met. */
export const ReviewItemResultSchema = z
  .object({ id: z.string(), kind: z.enum(['formal', 'professional']), judged: count, notMet: count, share })
  .meta({ id: 'ReviewItemResult' });
export type ReviewItemResult = z.infer<typeof ReviewItemResultSchema>;

export const ReviewResultsSchema = z
  .object({
    municipality: z.number().int(),
    from: z.string(),
    to: z.string(),
    /** Finished cases (status faerdig) in rounds dated from .. to. */
    reviewedCases: count,
    items: z.array(ReviewItemResultSchema),
    /** Per quarter of the round's date ("2024K2"). */
    byQuarter: z.record(z.string(), z.array(ReviewItemResultSchema)),
    /** Per team at the round's date; not for the committee. */
    byTeam: z.record(z.string(), z.array(ReviewItemResultSchema)).optional(),
    /** Per caseworker at the round's date, keyed and ordered by id, never ranked; team leader (own teams) and chief only. */
    byCaseworker: z.record(z.string(), z.array(ReviewItemResultSchema)).optional(),
    /** The items most often not met, most first (ties by id); at most 5. */
    topDeficiencies: z.array(z.object({ id: z.string(), notMet: z.number().int() })),
    /** The municipality's action areas by status. */
    actionAreas: z.record(z.string(), z.number().int()),
    /** The Danish title of each item in the results (the newest checklist version holding it), for every role. */
    titles: z.record(z.string(), z.string()),
  })
  .meta({ id: 'ReviewResults' });
export type ReviewResults = z.infer<typeof ReviewResultsSchema>;

const checklistRule = 'Tjeklisten skal have 1-50 punkter, hvert med et id (formal.… eller pro.…, små bogstaver, tal og _) og en titel';

export const ChecklistBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    title: freeText('Titlen', 200).refine((t) => t.trim() !== '', { error: 'Tjeklisten skal have en titel' }),
    items: z
      .array(
        z.object({
          id: z.string({ error: checklistRule }).regex(/^(formal|pro)\.[a-z0-9_]{1,60}$/, { error: checklistRule }),
          // The committee's results name the items by these titles: no names either (nameless).
          title: nameless('Punktets titel', 300).refine((t) => t.trim() !== '', { error: checklistRule }),
        }),
        { error: checklistRule },
      )
      .min(1, { error: checklistRule })
      .max(50, { error: checklistRule })
      .refine((items) => new Set(items.map((i) => i.id)).size === items.length, { error: 'Et punkt står to gange i tjeklisten' }),
  })
  .meta({ id: 'ChecklistBody' });
export type ChecklistBody = z.infer<typeof ChecklistBodySchema>;

export const ChecklistSchema = z
  .object({
    version: z.number().int(),
    /** null: the product's own checklist. */
    municipality: z.number().int().nullable(),
    title: z.string(),
    items: z.array(ChecklistItemSchema),
  })
  .meta({ id: 'Checklist' });
export type Checklist = z.infer<typeof ChecklistSchema>;

export const ReviewExampleBodySchema = z
  .object({
    municipality: z.number({ error: 'municipality skal være en kommunekode' }).int().optional(),
    title: nameless('Titlen', 200).refine((t) => t.trim() !== '', { error: 'Eksemplet skal have en titel' }),
    text: nameless('Eksemplet', 4000).refine((t) => t.trim() !== '', { error: 'Eksemplet skal have en tekst' }),
  })
  .meta({ id: 'ReviewExampleBody' });
export type ReviewExampleBody = z.infer<typeof ReviewExampleBodySchema>;

/** A child-perspective example the chief writes for the committee's review results. */
export const ReviewExampleSchema = z
  .object({
    id: z.number().int(),
    municipality: z.number().int(),
    title: z.string(),
    text: z.string(),
    createdBy: z.string().nullable().describe('Who made it; null for the committee, which is shown no usernames'),
    updatedAt: z.string(),
  })
  .meta({ id: 'ReviewExample' });
export type ReviewExample = z.infer<typeof ReviewExampleSchema>;
