import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { escapeText, workbook } from './xlsx';

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
