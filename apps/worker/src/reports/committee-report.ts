import { DASHBOARDS, type FigureDefinition } from '@bu/dashboards';
import { committeeDates, isValidDate, parseIso } from '@bu/domain';
import { forCommittee, kpiById, loadSettings, type Query } from '@bu/kpi';
import type { ReportsRepository } from './reports.repository';

/** One figure of the committee view, with its value as the committee's API answer has it. */
export interface ReportFigure {
  figure: FigureDefinition;
  value: unknown;
}

/** What the committee's report shows: the committee view (dashboards/src/udvalg.ts) at one D. */
export interface CommitteeReportContent {
  municipality: { code: number; name: string };
  asOf: string;
  period: { from: string; to: string };
  figures: ReportFigure[];
  /** The administration's comments for the year of D, by subject key. */
  comments: { budget: Record<string, string>; goal: Record<string, string> };
  madeAt: Date;
}

/** A report that cannot be made (the job fails for good): the reason in Danish. */
export class ReportRefused extends Error {}

const COMMITTEE = DASHBOARDS.find((d) => d.id === 'udvalg')!;

/**
 * The committee view's figures, computed by the same declarations (libs/kpi) and with the same
 * rules as the API's answer to the committee: D moved to the newest month end on or before the
 * newest export (never after it), P from 1 January of D's year, small cells suppressed.
 */
export async function committeeReportContent(
  query: Query,
  repository: ReportsRepository,
  municipalityCode: number,
  asOfAsked?: string,
  madeAt = new Date(),
): Promise<CommitteeReportContent> {
  const municipality = await repository.municipality(municipalityCode);
  if (!municipality) throw new ReportRefused(`Ukendt kommune: ${municipalityCode}`);
  if (municipality.keys > 1)
    throw new ReportRefused(
      `Kommune ${municipality.code} er midt i et skift af pseudonymnøgle; rapporten laves, når alle kilder er genindlæst.`,
    );
  if (asOfAsked !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(asOfAsked) && (({ y, m, d }) => isValidDate(y, m, d))(parseIso(asOfAsked))))
    throw new ReportRefused(`Opgørelsesdatoen skal være en dato (ÅÅÅÅ-MM-DD): ${asOfAsked}`);
  const exportDate = municipality.exportDate;
  const asked = asOfAsked ?? exportDate;
  if (!asked) throw new ReportRefused(`${municipality.name} har ingen data endnu.`);
  const { asOf, period } = committeeDates(exportDate !== null && asked > exportDate ? exportDate : asked);
  const settings = await loadSettings(query, municipality.code);
  const figures: ReportFigure[] = [];
  for (const figure of COMMITTEE.figures) {
    const kpi = kpiById(figure.kpi)!;
    const ctx = { query, municipality: municipality.code, asOf, period };
    const value = await kpi.compute({ ...ctx, settings });
    // The committee sees aggregates only, small cells suppressed as in the API's answer (a rate given
    // the counts it rests on): the real number is never printed.
    figures.push({ figure, value: await forCommittee(kpi, value, () => kpi.fraction?.({ ...ctx, settings }) ?? Promise.resolve(null)) });
  }
  const comments: CommitteeReportContent['comments'] = { budget: {}, goal: {} };
  for (const c of await repository.comments(municipality.code, asOf.slice(0, 4))) comments[c.subjectType][c.subjectKey] = c.text;
  return { municipality: { code: municipality.code, name: municipality.name }, asOf, period, figures, comments, madeAt };
}
