import { join } from 'path';
import PDFDocument from 'pdfkit';
import {
  BUDGET_LIGHTS,
  budgetSpendMonth,
  budgetTotal,
  displayKpiValue,
  displayThousandKr,
  displayValue,
  formatDate,
  formatAmount,
  formatDateTime,
  formatNumber,
  formatShare,
  GOAL_LIGHTS,
  MONTH_NAMES,
  MONTHS_IN_WORDS,
  rankText,
  SPEND_CURVE_LINES,
  spendCurveColumns,
  spendCurveYears,
  spendHeading,
  YEAR_ROW_LABELS,
  type Benchmark,
  type BudgetLine,
  type GoalStatus,
  type Light,
  type SpendCurveValue,
} from '@bu/contracts';
import type { CommitteeReportContent, ReportFigure } from './committee-report';

// The committee's report as one A4 PDF, made with pdfkit (the production image has no browser):
// the committee view's figures as tables, each budget line's and goal's comment beneath it, and on
// every page the municipality, the as-of date and "Side x af y". Numbers as the dashboard shows them
// (the formats are shared through @bu/contracts).

const A4 = 'A4';
const MARGIN = 50;
const FOOTER = 40;
const INK = '#1f2933';
const MUTED = '#52606d';
const RULE = '#cbd2d9';
const LIGHT_COLOURS = { green: '#1e7b34', yellow: '#8a6100', red: '#b3261e' } as const;
/**
 * The lights' symbols (✓, !, ✕): the PDF's standard fonts have no ✓ or ✕, so they come from a
 * four-glyph subset of DejaVu Sans (apps/worker/assets/README.md), embedded in the PDF.
 */
const SYMBOLS_FONT = join(__dirname, '..', '..', 'assets', 'light-symbols.ttf');

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

interface Row {
  cells: string[];
  /** Written beneath the row across the table (the administration's comment), in italics. */
  note?: string;
  /** A light's colour for the last cell. */
  colour?: string;
  /** The last cell's light symbol (✓, !, ✕), written before its word in the light's colour. */
  symbol?: string;
  /** A total row: in bold, with a rule above it. */
  total?: boolean;
}

type Doc = PDFKit.PDFDocument;

const contentWidth = (doc: Doc) => doc.page.width - 2 * MARGIN;
const bottom = (doc: Doc) => doc.page.height - MARGIN - FOOTER;

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

/** A table: header row in bold, rows with their notes; a row never splits over two pages. */
function table(doc: Doc, columns: Column[], rows: Row[]): void {
  const x0 = MARGIN;
  const pad = 3;
  const drawHeader = () => {
    doc.font('Helvetica-Bold').fontSize(8.5).fillColor(INK);
    const h = Math.max(...columns.map((c) => doc.heightOfString(c.header, { width: c.width - 2 * pad }))) + 2 * pad;
    ensureRoom(doc, h + 14);
    const y = doc.y;
    let x = x0;
    for (const c of columns) {
      doc.text(c.header, x + pad, y + pad, { width: c.width - 2 * pad, align: c.align ?? 'left' });
      x += c.width;
    }
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + contentWidth(doc), y + h)
      .strokeColor(INK)
      .lineWidth(0.8)
      .stroke();
    doc.y = y + h;
  };
  drawHeader();
  for (const row of rows) {
    const font = row.total ? 'Helvetica-Bold' : 'Helvetica';
    doc.font(SYMBOLS_FONT).fontSize(8.5);
    const symbolWidth = row.symbol ? doc.widthOfString(`${row.symbol} `) : 0;
    doc.font(font).fontSize(8.5);
    const cellWidth = (i: number) => columns[i].width - 2 * pad - (i === row.cells.length - 1 ? symbolWidth : 0);
    const h = Math.max(...row.cells.map((cell, i) => doc.heightOfString(cell, { width: cellWidth(i) }))) + 2 * pad;
    doc.font('Helvetica-Oblique').fontSize(8);
    const noteH = row.note ? doc.heightOfString(row.note, { width: contentWidth(doc) - 2 * pad - 10 }) + pad : 0;
    if (doc.y + h + noteH > bottom(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    if (row.total)
      doc
        .moveTo(x0, y)
        .lineTo(x0 + contentWidth(doc), y)
        .strokeColor(INK)
        .lineWidth(0.8)
        .stroke();
    let x = x0;
    row.cells.forEach((cell, i) => {
      const last = i === row.cells.length - 1;
      doc.fillColor(last && row.colour ? row.colour : INK);
      if (last && row.symbol) {
        // The symbol on the word's baseline: both fonts at the same size from the same top.
        doc
          .font(SYMBOLS_FONT)
          .fontSize(8.5)
          .text(`${row.symbol} `, x + pad, y + pad, { lineBreak: false });
      }
      doc.font(font).fontSize(8.5);
      doc.text(cell, x + pad + (last ? symbolWidth : 0), y + pad, { width: cellWidth(i), align: columns[i].align ?? 'left' });
      x += columns[i].width;
    });
    let end = y + h;
    if (row.note) {
      doc.font('Helvetica-Oblique').fontSize(8).fillColor(MUTED);
      doc.text(`Kommentar: ${row.note}`, x0 + pad + 10, end, { width: contentWidth(doc) - 2 * pad - 10 });
      end += noteH;
    }
    doc
      .moveTo(x0, end)
      .lineTo(x0 + contentWidth(doc), end)
      .strokeColor(RULE)
      .lineWidth(0.5)
      .stroke();
    doc.y = end;
  }
  doc.fillColor(INK);
  doc.y += 6;
}

/** Widths in shares of the page's content width. */
const cols = (doc: Doc, spec: [string, number, ('left' | 'right')?][]): Column[] =>
  spec.map(([header, share, align]) => ({ header, width: share * contentWidth(doc), align }));

/** The budget table as on screen: last year's accounts, spend "t.o.m. <month>", lights in words and symbols, a total row. */
function budgetTable(doc: Doc, lines: Record<string, BudgetLine>, comments: Record<string, string>, year: number): void {
  const all = Object.values(lines);
  const month = budgetSpendMonth(all);
  const total = budgetTotal(all);
  const columns = cols(doc, [
    ['Funktion', 0.25],
    [`Regnskab ${year - 1}`, 0.1, 'right'],
    ['Korr. budget', 0.1, 'right'],
    [spendHeading(month), 0.14, 'right'],
    ['Forventet', 0.1, 'right'],
    ['Afvigelse', 0.13, 'right'],
    ['Status', 0.18],
  ]);
  const deviation = (amount: unknown, share: unknown) =>
    `${displayThousandKr(amount)}${typeof share === 'number' ? ` (${formatShare(share)})` : ''}`;
  doc.font('Helvetica').fontSize(8).fillColor(MUTED).text('Beløb i 1.000 kr.', MARGIN, doc.y);
  doc.fillColor(INK);
  table(doc, columns, [
    ...Object.entries(lines).map(([fn, l]) => ({
      cells: [
        `${fn} ${l.name ?? ''}`.trim(),
        displayThousandKr(l.lastYear),
        displayThousandKr(l.budget),
        // A line whose spend runs to another month than the table's says which, in words.
        `${displayThousandKr(l.spent)}${l.month && l.month !== month ? ` (t.o.m. ${MONTHS_IN_WORDS[l.month - 1]})` : ''}`,
        displayThousandKr(l.forecast),
        deviation(l.deviation, l.deviationShare),
        l.light ? BUDGET_LIGHTS[l.light].word : '–',
      ],
      ...lightOf(l.light, BUDGET_LIGHTS),
      note: comments[fn],
    })),
    ...(all.length > 0
      ? [
          {
            cells: [
              'I alt',
              displayThousandKr(total.lastYear),
              displayThousandKr(total.budget),
              displayThousandKr(total.spent),
              displayThousandKr(total.forecast),
              deviation(total.deviation, total.deviationShare),
              '',
            ],
            total: true,
          },
        ]
      : []),
  ]);
}

/** A row's light: the colour and the symbol of its last cell. */
const lightOf = (light: Light | null, words: Record<Light, { symbol: string }>): Pick<Row, 'colour' | 'symbol'> =>
  light ? { colour: LIGHT_COLOURS[light], symbol: words[light].symbol } : {};

function goalTable(doc: Doc, goals: GoalStatus[], comments: Record<string, string>): void {
  if (goals.length === 0) {
    doc.font('Helvetica').fontSize(9).text('Der er ikke registreret politiske mål.', MARGIN, doc.y);
    doc.y += 6;
    return;
  }
  const years = Object.keys(goals[0].previousYears).sort();
  const yearShare = 0.1;
  const columns = cols(doc, [
    ['Mål', 0.83 - yearShare * (years.length + 1)],
    ...years.map((y): [string, number, 'right'] => [y, yearShare, 'right']),
    ['Nu', yearShare, 'right'],
    ['Status', 0.17],
  ]);
  table(
    doc,
    columns,
    goals.map((g) => ({
      cells: [
        `${g.title} (mål ${g.direction === '>=' ? 'mindst' : 'højst'} ${displayKpiValue(g.kpi, g.target)})`,
        ...years.map((y) => displayKpiValue(g.kpi, g.previousYears[y])),
        displayKpiValue(g.kpi, g.value),
        g.status ? GOAL_LIGHTS[g.status].word : '–',
      ],
      ...lightOf(g.status, GOAL_LIGHTS),
      note: comments[String(g.id)],
    })),
  );
}

/** An amount in kr. as mio. kr. (the spend curve's unit); "–" for a month without data, "skjult" when withheld. */
const mio = (kr: unknown): string => (typeof kr === 'number' ? formatNumber(kr / 1_000_000) : kr ? 'skjult' : '–');

/** A round step for an axis of 0..max: 1, 2 or 5 times a power of ten. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

interface CurveLine {
  name: string;
  values: (number | null)[];
  colour: string;
  width: number;
  dash?: [number, number];
}

/**
 * The spend curve as the dashboard draws it, months across: last year grey and dashed, this year
 * blue and solid, the forecast to December blue and dotted, the corrected budget near black.
 */
function spendChart(doc: Doc, value: SpendCurveValue, years: string[]): void {
  const amount = (v: unknown) => (typeof v === 'number' ? v : null);
  const lines: CurveLine[] = [
    ...years.map((year, k): CurveLine =>
      k === years.length - 1
        ? { name: year, values: value[year].map(amount), colour: '#1f5f99', width: 2 }
        : { name: year, values: value[year].map(amount), colour: '#7b8794', width: 1.2, dash: [4, 3] },
    ),
    {
      name: SPEND_CURVE_LINES.forecast,
      values: (value.forecast ?? []).map(amount),
      colour: '#1f5f99',
      width: 1.2,
      dash: [1.5, 2] as [number, number],
    },
    { name: SPEND_CURVE_LINES.budget, values: (value.budget ?? []).map(amount), colour: INK, width: 1.5 },
  ].filter((l) => l.values.some((v) => v !== null));
  const height = 130;
  ensureRoom(doc, height + 10);
  const top = doc.y + 6;
  const left = MARGIN + 36;
  const width = contentWidth(doc) - 36 - 110;
  const plot = height - 30;
  const amounts = lines.flatMap((l) => l.values.filter((v): v is number => v !== null)).map((v) => v / 1_000_000);
  const step = niceStep(Math.max(...amounts, 1), 4);
  const max = step * Math.max(1, Math.ceil(Math.max(...amounts, 1) / step));
  const x = (month: number) => left + (month * width) / 11;
  const y = (mio: number) => top + plot - (mio / max) * plot;
  doc.font('Helvetica').fontSize(7).fillColor(MUTED).lineWidth(0.5);
  for (let tick = 0; tick <= max + step / 2; tick += step) {
    doc
      .moveTo(left, y(tick))
      .lineTo(left + width, y(tick))
      .strokeColor(RULE)
      .stroke();
    doc.text(formatNumber(tick), MARGIN, y(tick) - 3, { width: 32, align: 'right', lineBreak: false });
  }
  MONTH_NAMES.forEach((m, i) => doc.text(m, x(i) - 12, top + plot + 4, { width: 24, align: 'center', lineBreak: false }));
  const stroke = (line: CurveLine) => {
    doc.lineWidth(line.width).strokeColor(line.colour);
    if (line.dash) doc.dash(line.dash[0], { space: line.dash[1] });
  };
  lines.forEach((line, k) => {
    stroke(line);
    let drawing = false;
    line.values.forEach((v, i) => {
      if (v === null) {
        drawing = false;
        return;
      }
      if (drawing) doc.lineTo(x(i), y(v / 1_000_000));
      else doc.moveTo(x(i), y(v / 1_000_000));
      drawing = true;
    });
    doc.stroke().undash();
    // The legend beside the plot.
    const ly = top + 10 + k * 14;
    doc.moveTo(left + width + 12, ly + 3).lineTo(left + width + 30, ly + 3);
    stroke(line);
    doc.stroke().undash();
    doc
      .fillColor(INK)
      .fontSize(8)
      .text(line.name, left + width + 34, ly, { lineBreak: false });
  });
  doc.fillColor(INK).lineWidth(1);
  doc.y = top + height;
}

function spendCurve(doc: Doc, value: SpendCurveValue): void {
  const years = spendCurveYears(value);
  const columns = spendCurveColumns(value);
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(MUTED)
    .text('Forbrug år til dato, korrigeret budget og forventet forbrug, mio. kr.', MARGIN, doc.y);
  doc.fillColor(INK);
  if (years.length > 0) spendChart(doc, value, years);
  table(
    doc,
    cols(doc, [['Måned', 0.28], ...columns.map((c): [string, number, 'right'] => [c.label, 0.72 / Math.max(columns.length, 1), 'right'])]),
    MONTH_NAMES.map((m, i) => ({
      cells: [m, ...columns.map((c) => mio(value[c.key][i]))],
    })),
  );
}

function benchmark(doc: Doc, kpi: string, b: Benchmark): void {
  // The unit and which end of the rank is 1, as on screen (ADR 66).
  const show = (n: number | null) => (n === null ? '–' : formatAmount(kpi, n));
  doc.font('Helvetica').fontSize(10).fillColor(INK);
  if (b.count === 0) {
    doc.text('Ingen offentliggjorte tal for kommunen endnu.', MARGIN, doc.y);
    doc.y += 8;
    return;
  }
  doc.text(`${show(b.own)} (${b.year ?? '–'}) · median ${show(b.median)} · ${rankText(kpi, b.rank, b.count)}`, MARGIN, doc.y);
  if (b.q1 !== null && b.q3 !== null) {
    doc.font('Helvetica').fontSize(8).fillColor(MUTED);
    doc.text(`Midterste halvdel af kommunerne: ${formatNumber(b.q1)}–${formatNumber(b.q3)}.`, MARGIN, doc.y);
  }
  doc.fillColor(INK);
  doc.y += 8;
}

function yearTable(doc: Doc, years: Record<string, Record<string, unknown>>): void {
  const columns = Object.keys(years).sort();
  const rows = Object.keys(years[columns[0]] ?? {});
  table(
    doc,
    cols(doc, [['Nøgletal', 0.4], ...columns.map((y): [string, number, 'right'] => [y, 0.6 / Math.max(columns.length, 1), 'right'])]),
    rows.map((r) => ({ cells: [YEAR_ROW_LABELS[r] ?? r, ...columns.map((y) => displayValue(years[y][r]))] })),
  );
}

function figure(doc: Doc, { figure: f, value }: ReportFigure, report: CommitteeReportContent): void {
  const { comments } = report;
  ensureRoom(doc, 80);
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(f.title, MARGIN, doc.y);
  if (f.description)
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(f.description, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.fillColor(INK);
  doc.y += 4;
  if (value === null || value === undefined) {
    doc.font('Helvetica').fontSize(9).text('Ingen data.', MARGIN, doc.y);
  } else if (f.chart === 'budget-table')
    budgetTable(doc, value as Record<string, BudgetLine>, comments.budget, Number(report.asOf.slice(0, 4)));
  else if (f.chart === 'goals') goalTable(doc, value as GoalStatus[], comments.goal);
  else if (f.chart === 'spend-curve') spendCurve(doc, value as SpendCurveValue);
  else if (f.chart === 'benchmark') benchmark(doc, f.kpi, value as Benchmark);
  else if (f.chart === 'year-table') yearTable(doc, value as Record<string, Record<string, unknown>>);
  // A share in %, anything else with its unit as on screen; "<5" when withheld.
  else if (f.chart === 'share')
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(typeof value === 'number' ? formatShare(value) : displayValue(value), MARGIN, doc.y);
  else
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(typeof value === 'number' ? formatAmount(f.kpi, value) : displayValue(value), MARGIN, doc.y);
  doc.y += 10;
}

/** The committee's report as PDF bytes. */
export function renderCommitteeReport(report: CommitteeReportContent): Promise<Buffer> {
  const place = `${report.municipality.name} Kommune`;
  const doc = new PDFDocument({
    size: A4,
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER },
    bufferPages: true,
    info: {
      Title: `Udvalgsrapport, ${place}, ${formatDate(report.asOf)}`,
      Author: 'Børneblik',
      Subject: 'Udvalgets månedlige rapport',
      CreationDate: report.madeAt,
    },
    lang: 'da-DK',
    // The title, not the file name, in a PDF reader's window (and for screen readers).
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(`Udvalgsrapport – ${place}`, MARGIN, MARGIN);
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor(MUTED)
    .text(
      `Opgørelsesdato ${formatDate(report.asOf)} · periode ${formatDate(report.period.from)}–${formatDate(report.period.to)} · lavet ${formatDateTime(report.madeAt)}`,
    );
  doc.text('Kun samlede tal; tal under 5 vises som "<5", og beløb, der hviler på under 5 børn, som "skjult".');
  doc.fillColor(INK);
  doc.y += 12;
  for (const f of report.figures) figure(doc, f, report);

  // Every page: the municipality, the as-of date and "Side x af y" (written once the count is known).
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the footer must not start a new page
    const y = doc.page.height - MARGIN - 12;
    doc
      .moveTo(MARGIN, y - 6)
      .lineTo(doc.page.width - MARGIN, y - 6)
      .strokeColor(RULE)
      .lineWidth(0.5)
      .stroke();
    doc.font('Helvetica').fontSize(8).fillColor(MUTED);
    doc.text(`${place} · udvalgsrapport pr. ${formatDate(report.asOf)}`, MARGIN, y, { lineBreak: false });
    doc.text(`Side ${i - start + 1} af ${count}`, MARGIN, y, { width: contentWidth(doc), align: 'right', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  return done;
}
