import PDFDocument from 'pdfkit';
import {
  BUDGET_LIGHTS,
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
  rankText,
  YEAR_ROW_LABELS,
  type Benchmark,
  type BudgetLine,
  type GoalStatus,
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
    doc.font('Helvetica').fontSize(8.5);
    const h = Math.max(...row.cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i].width - 2 * pad }))) + 2 * pad;
    doc.font('Helvetica-Oblique').fontSize(8);
    const noteH = row.note ? doc.heightOfString(row.note, { width: contentWidth(doc) - 2 * pad - 10 }) + pad : 0;
    if (doc.y + h + noteH > bottom(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    let x = x0;
    doc.font('Helvetica').fontSize(8.5);
    row.cells.forEach((cell, i) => {
      const last = i === row.cells.length - 1;
      doc.fillColor(last && row.colour ? row.colour : INK);
      doc.text(cell, x + pad, y + pad, { width: columns[i].width - 2 * pad, align: columns[i].align ?? 'left' });
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

function budgetTable(doc: Doc, lines: Record<string, BudgetLine>, comments: Record<string, string>): void {
  const columns = cols(doc, [
    ['Funktion', 0.26],
    ['Korr. budget', 0.1, 'right'],
    ['Forbrug', 0.21, 'right'],
    ['Forventet', 0.1, 'right'],
    ['Afvigelse', 0.16, 'right'],
    ['Status', 0.17],
  ]);
  doc.font('Helvetica').fontSize(8).fillColor(MUTED).text('Beløb i 1.000 kr.', MARGIN, doc.y);
  doc.fillColor(INK);
  table(
    doc,
    columns,
    Object.entries(lines).map(([fn, l]) => ({
      cells: [
        `${fn} ${l.name ?? ''}`.trim(),
        displayThousandKr(l.budget),
        `${displayThousandKr(l.spent)}${l.month ? ` (t.o.m. md. ${l.month})` : ''}`,
        displayThousandKr(l.forecast),
        `${displayThousandKr(l.deviation)}${typeof l.deviationShare === 'number' ? ` (${formatShare(l.deviationShare)})` : ''}`,
        l.light ? BUDGET_LIGHTS[l.light].word : '–',
      ],
      colour: l.light ? LIGHT_COLOURS[l.light] : undefined,
      note: comments[fn],
    })),
  );
}

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
      colour: g.status ? LIGHT_COLOURS[g.status] : undefined,
      note: comments[String(g.id)],
    })),
  );
}

/** An amount in kr. as mio. kr. (the spend curve's unit); "–" for a month without data. */
const mio = (kr: number | null | undefined): string => (typeof kr === 'number' ? formatNumber(kr / 1_000_000) : '–');

/** A round step for an axis of 0..max: 1, 2 or 5 times a power of ten. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

const YEAR_COLOURS = ['#7b8794', '#1f5f99'];

/** The spend curve as the dashboard draws it: this year solid, earlier years dashed, months across. */
function spendChart(doc: Doc, value: Record<string, (number | null)[]>, years: string[]): void {
  const height = 130;
  ensureRoom(doc, height + 10);
  const top = doc.y + 6;
  const left = MARGIN + 36;
  const width = contentWidth(doc) - 36 - 90;
  const plot = height - 30;
  const amounts = years.flatMap((y) => value[y].filter((v): v is number => typeof v === 'number')).map((v) => v / 1_000_000);
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
  years.forEach((year, k) => {
    const colour = YEAR_COLOURS[k === years.length - 1 ? 1 : 0];
    const points = value[year].map((v, i) => (typeof v === 'number' ? ([x(i), y(v / 1_000_000)] as const) : null));
    doc.lineWidth(k === years.length - 1 ? 2 : 1.2).strokeColor(colour);
    if (k !== years.length - 1) doc.dash(4, { space: 3 });
    let drawing = false;
    for (const p of points) {
      if (!p) {
        drawing = false;
        continue;
      }
      if (drawing) doc.lineTo(p[0], p[1]);
      else doc.moveTo(p[0], p[1]);
      drawing = true;
    }
    doc.stroke().undash();
    // The legend beside the plot.
    const ly = top + 10 + k * 14;
    doc
      .moveTo(left + width + 12, ly + 3)
      .lineTo(left + width + 30, ly + 3)
      .lineWidth(k === years.length - 1 ? 2 : 1.2)
      .strokeColor(colour);
    if (k !== years.length - 1) doc.dash(4, { space: 3 });
    doc.stroke().undash();
    doc
      .fillColor(INK)
      .fontSize(8)
      .text(year, left + width + 34, ly, { lineBreak: false });
  });
  doc.fillColor(INK).lineWidth(1);
  doc.y = top + height;
}

function spendCurve(doc: Doc, value: Record<string, (number | null)[]>): void {
  const years = Object.keys(value).sort();
  doc.font('Helvetica').fontSize(8).fillColor(MUTED).text('Forbrug år til dato, mio. kr.', MARGIN, doc.y);
  doc.fillColor(INK);
  if (years.length > 0) spendChart(doc, value, years);
  table(
    doc,
    cols(doc, [['Måned', 0.4], ...years.map((y): [string, number, 'right'] => [y, 0.6 / Math.max(years.length, 1), 'right'])]),
    MONTH_NAMES.map((m, i) => ({
      cells: [m, ...years.map((y) => mio(value[y][i]))],
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

function figure(doc: Doc, { figure: f, value }: ReportFigure, comments: CommitteeReportContent['comments']): void {
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
  } else if (f.chart === 'budget-table') budgetTable(doc, value as Record<string, BudgetLine>, comments.budget);
  else if (f.chart === 'goals') goalTable(doc, value as GoalStatus[], comments.goal);
  else if (f.chart === 'spend-curve') spendCurve(doc, value as Record<string, (number | null)[]>);
  else if (f.chart === 'benchmark') benchmark(doc, f.kpi, value as Benchmark);
  else if (f.chart === 'year-table') yearTable(doc, value as Record<string, Record<string, unknown>>);
  else doc.font('Helvetica').fontSize(10).text(displayValue(value), MARGIN, doc.y);
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
  for (const f of report.figures) figure(doc, f, report.comments);

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
