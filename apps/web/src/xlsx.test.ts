import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { escapeText, fitCell, MAX_CELL_TEXT, workbook } from './xlsx';

describe('the Excel download', () => {
  it('keeps numbers numeric and escapes text that could run as a formula', () => {
    const files = unzipSync(
      workbook('Sager pr. rådgiver', [
        ['Navn', 'Antal'],
        ['=HYPERLINK("x")', 4],
        ['Eva Friis', 2.5],
        ['@SUM(A1)', null],
        ['-1+1', -3],
      ]),
    );
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain('<c r="B2"><v>4</v></c>');
    expect(sheet).toContain('<c r="B3"><v>2.5</v></c>');
    expect(sheet).toContain('<c r="B5"><v>-3</v></c>');
    expect(sheet).toContain(`<t xml:space="preserve">'=HYPERLINK(&quot;x&quot;)</t>`);
    expect(sheet).toContain(`<t xml:space="preserve">'@SUM(A1)</t>`);
    expect(sheet).toContain(`<t xml:space="preserve">'-1+1</t>`);
    expect(sheet).not.toContain('<f>');
    expect(strFromU8(files['xl/workbook.xml'])).toContain('name="Sager pr. rådgiver"');
  });

  it('leaves out characters XML forbids (a login name tried with a control character), before the formula check', () => {
    const files = unzipSync(workbook('Revisionslog\u0001', [['x\u0001y', '\u0000=SUM(A1)', 'tab\tok']]));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']);
    for (const part of [sheet, strFromU8(files['xl/workbook.xml'])]) expect(part).not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F]/);
    expect(sheet).toContain('<t xml:space="preserve">xy</t>');
    expect(sheet).toContain(`<t xml:space="preserve">'=SUM(A1)</t>`);
    expect(sheet).toContain('<t xml:space="preserve">tab\tok</t>');
  });

  it('cuts a text longer than Excel holds in a cell (an audit row with thousands of cases), and says so', () => {
    const cases = Array.from({ length: 5000 }, (_, i) => `S${100000 + i}`).join(', ');
    expect(cases.length).toBeGreaterThan(MAX_CELL_TEXT);
    const fitted = fitCell(cases);
    expect(fitted.length).toBeLessThanOrEqual(MAX_CELL_TEXT);
    expect(fitted.startsWith('S100000, S100001')).toBe(true);
    expect(fitted.endsWith(` … [afkortet: ${cases.length.toLocaleString('da-DK')} tegn i alt]`)).toBe(true);
    expect(fitCell('kort')).toBe('kort');
    expect(fitCell('x'.repeat(MAX_CELL_TEXT))).toHaveLength(MAX_CELL_TEXT);
    // Not half of a character that takes two code units.
    // (One of the two lengths puts the cut inside a pair, whatever the mark's length.)
    for (const n of [40, 41]) {
      const astral = fitCell('a'.repeat(MAX_CELL_TEXT - n) + '😀'.repeat(100));
      expect(astral).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(astral.length).toBeLessThanOrEqual(MAX_CELL_TEXT);
    }
    const sheet = strFromU8(unzipSync(workbook('Revisionslog', [[cases]]))['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain('tegn i alt]</t>');
  });

  it('escapes every dangerous first character, and only those', () => {
    expect(['=a', '+a', '-a', '@a', '\ta', '\ra', 'a=b', 'Æble'].map(escapeText)).toEqual([
      "'=a",
      "'+a",
      "'-a",
      "'@a",
      "'\ta",
      "'\ra",
      'a=b',
      'Æble',
    ]);
  });
});
