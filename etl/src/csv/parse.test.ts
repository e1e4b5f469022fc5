import { describe, expect, it } from 'vitest';
import { DelimitedOptions, parseDelimited, RawRecord } from './parse';

async function parseAll(text: string, chunkSize: number, opts: DelimitedOptions = { separator: ';', quote: '"' }): Promise<RawRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: RawRecord[] = [];
  for await (const batch of parseDelimited(chunks(), opts)) out.push(...batch);
  return out;
}

/** Records as line and fields (RawRecord.plain is a hint that depends on the chunking). */
async function parse(
  text: string,
  chunkSize: number,
  opts = { separator: ';', quote: '"' as string | null },
): Promise<Pick<RawRecord, 'line' | 'fields'>[]> {
  return (await parseAll(text, chunkSize, opts)).map(({ line, fields }) => ({ line, fields }));
}

const MESSY = '\uFEFFa;b;c\r\n1;"x;y";3\r\n\r\n2;"line\nbreak";"say ""hi"""\n3;;\n4;æøå;"";\n5;last;no-newline';

describe('parseDelimited', () => {
  for (const size of [1, 2, 3, 7, 1000]) {
    it(`survives BOM, CRLF, blank lines, quoted separators, newlines and quotes (chunks of ${size})`, async () => {
      const records = await parse(MESSY, size);
      expect(records).toEqual([
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['1', 'x;y', '3'] },
        { line: 4, fields: ['2', 'line\nbreak', 'say "hi"'] },
        { line: 6, fields: ['3', '', ''] },
        { line: 7, fields: ['4', 'æøå', '', ''] },
        { line: 8, fields: ['5', 'last', 'no-newline'] },
      ]);
    });
  }

  it('reads tab-separated text without quoting (CSC style): quotes are ordinary characters', async () => {
    const records = await parse('A\tB\n"x\ty"\n', 4, { separator: '\t', quote: null });
    expect(records).toEqual([
      { line: 1, fields: ['A', 'B'] },
      { line: 2, fields: ['"x', 'y"'] },
    ]);
  });

  it('reads the same records whatever the chunking (whole lines are split natively, the rest character by character)', async () => {
    const lines = [
      'id;name;note',
      'plain;line;here',
      'crlf;line;here\r',
      'cr;in\rside;x',
      '"quoted;start";b;c',
      'quote;in "the" middle;x',
      'x;"multi\nline";y\r',
      '',
      '\r',
      '  ;  ;  ',
      'tail;"say ""hi""";',
      '""',
      'after;empty;quoted',
      'æøå;ÆØÅ;€',
    ];
    const text = Array.from({ length: 300 }, (_, i) => lines[i % lines.length]).join('\n') + '\nlast;no;newline';
    const reference = await parse(text, 1);
    expect(reference.length).toBeGreaterThan(230);
    for (const size of [5, 64, 1000, 1 << 20]) expect(await parse(text, size)).toEqual(reference);
    expect(reference.slice(0, 8)).toEqual([
      { line: 1, fields: ['id', 'name', 'note'] },
      { line: 2, fields: ['plain', 'line', 'here'] },
      { line: 3, fields: ['crlf', 'line', 'here'] },
      { line: 4, fields: ['cr', 'inside', 'x'] },
      { line: 5, fields: ['quoted;start', 'b', 'c'] },
      { line: 6, fields: ['quote', 'in "the" middle', 'x'] },
      { line: 7, fields: ['x', 'multi\nline', 'y'] },
      { line: 11, fields: ['  ', '  ', '  '] },
    ]);
  });

  it('gives nothing for an empty input', async () => {
    expect(await parse('', 10)).toEqual([]);
    expect(await parse('\uFEFF', 10)).toEqual([]);
  });

  it('marks a record plain only when no field holds a backslash, tab, newline or carriage return', async () => {
    const lines = [
      'id;text',
      'a;plain æøå',
      'b;tab\there',
      'c;back\\slash',
      'd;"quoted"',
      'e;"new\nline"',
      'f;cr\rinside',
      'g;crlf',
      'h;last',
    ];
    const text = lines.join('\n').replace('g;crlf\n', 'g;crlf\r\n');
    for (const size of [1, 3, 7, 1000]) {
      const records = await parseAll(text, size);
      expect(records.map((r) => r.fields[0])).toEqual(['id', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
      for (const r of records) {
        const special = r.fields.some((f) => /[\\\t\n\r]/.test(f));
        // Never plain with a special character; a whole line in a chunk without quotes, carriage
        // returns (but a final one) or specials is found plain.
        if (special) expect(r.plain).toBe(false);
        if (size === 1000) expect(r.plain).toBe(['id', 'a', 'g'].includes(r.fields[0]));
      }
      expect(records.find((r) => r.fields[0] === 'g')!.fields).toEqual(['g', 'crlf']);
    }
    // Tab-separated: a field never holds the separator, a backslash still counts.
    const tsv = await parseAll('A\tB\nx\ty\nx\\\ty\n', 1000, { separator: '\t', quote: null });
    expect(tsv.map((r) => r.plain)).toEqual([true, true, false]);
  });

  it('splits whole lines like String.split: empty fields, a trailing separator, one column, whatever the chunking', async () => {
    const lines = ['one', ';;', 'a;', ';b', 'a;;b', 'x', '', 'æ;ø;å', 'last'];
    const text = Array.from({ length: 500 }, (_, i) => lines[i % lines.length]).join('\n');
    const expected = text
      .split('\n')
      .map((l, i) => ({ line: i + 1, fields: l.split(';') }))
      .filter((r) => r.fields.join('') !== '' || r.fields.length > 1);
    for (const size of [1, 5, 64, 1000, 1 << 20]) expect(await parse(text, size)).toEqual(expected);
    const single = Array.from({ length: 2000 }, (_, i) => `row${i}`).join('\n') + '\n';
    expect(await parse(single, 1 << 15)).toEqual(Array.from({ length: 2000 }, (_, i) => ({ line: i + 1, fields: [`row${i}`] })));
  });

  describe('a damaged record never takes the rest of the file with it', () => {
    const damaged = (r: RawRecord) => ({ line: r.line, ...(r.broken ? { broken: r.broken } : { fields: r.fields }) });
    const records = async (text: string, size: number, extra: Partial<DelimitedOptions> = {}) =>
      (await parseAll(text, size, { separator: ';', quote: '"', ...extra })).map(damaged);

    for (const size of [1, 3, 7, 1000]) {
      it(`an unclosed quote is a broken record on its line, and the rows it swallowed are read (chunks of ${size})`, async () => {
        const text = 'a;b\n1;x\n2;"never closed\n3;y\n4;z\n';
        expect(await records(text, size)).toEqual([
          { line: 1, fields: ['a', 'b'] },
          { line: 2, fields: ['1', 'x'] },
          { line: 3, broken: 'unclosed-quote' },
          { line: 4, fields: ['3', 'y'] },
          { line: 5, fields: ['4', 'z'] },
        ]);
      });

      it(`a quoted field over more line breaks than allowed is unclosed, even when a quote comes much later (chunks of ${size})`, async () => {
        const rows = Array.from({ length: 8 }, (_, i) => `${i + 3};r${i}`);
        const text = `a;b\n1;"opens\n${rows.join('\n')}\n9;"a later quote"\n10;end\n`;
        expect(await records(text, size, { maxQuotedLines: 4 })).toEqual([
          { line: 1, fields: ['a', 'b'] },
          { line: 2, broken: 'unclosed-quote' },
          ...rows.map((r, i) => ({ line: i + 3, fields: r.split(';') })),
          { line: 11, fields: ['9', 'a later quote'] },
          { line: 12, fields: ['10', 'end'] },
        ]);
        // Within the limit a quoted field holds its line breaks.
        expect(await records('a;b\n1;"two\nlines\nthree"\n2;x\n', size, { maxQuotedLines: 4 })).toEqual([
          { line: 1, fields: ['a', 'b'] },
          { line: 2, fields: ['1', 'two\nlines\nthree'] },
          { line: 5, fields: ['2', 'x'] },
        ]);
      });

      it(`a quote opened on the last line without a line break after it breaks only that row (chunks of ${size})`, async () => {
        expect(await records('a;b\n1;x\n2;"cut off', size)).toEqual([
          { line: 1, fields: ['a', 'b'] },
          { line: 2, fields: ['1', 'x'] },
          { line: 3, broken: 'unclosed-quote' },
        ]);
      });

      it(`a row read again after an unclosed quote may break on a quote of its own (chunks of ${size})`, async () => {
        expect(await records('a;b\n1;"one\n2;x\n3;"two\n4;y', size, { maxQuotedLines: 1 })).toEqual([
          { line: 1, fields: ['a', 'b'] },
          { line: 2, broken: 'unclosed-quote' },
          { line: 3, fields: ['2', 'x'] },
          { line: 4, broken: 'unclosed-quote' },
          { line: 5, fields: ['4', 'y'] },
        ]);
      });
    }

    for (const size of [7, 64, 1 << 15]) {
      it(`a record longer than allowed is broken off and the rest of its line skipped, quoted or not (chunks of ${size})`, async () => {
        const long = 'x'.repeat(5000);
        const text = `a;b\n1;${long}\n2;"${long}"\n3;${';'.repeat(5000)}\n4;ok\n`;
        expect(await records(text, size, { maxRecordChars: 1000 })).toEqual([
          { line: 1, fields: ['a', 'b'] },
          { line: 2, broken: 'too-long' },
          { line: 3, broken: 'too-long' },
          { line: 4, broken: 'too-long' },
          { line: 5, fields: ['4', 'ok'] },
        ]);
      });
    }
  });

  it('marks a record from which a lone carriage return was dropped (a file with CR line ends reads as one record)', async () => {
    for (const size of [1, 3, 1000]) {
      const records = await parseAll('a;b\r1;x\r2;y\r', size);
      expect(records.map((r) => r.fields)).toEqual([['a', 'b1', 'x2', 'y']]);
      expect(records[0].loneCr).toBe(true);
      const crlf = await parseAll('a;b\r\n1;x\r\n', size);
      expect(crlf.some((r) => r.loneCr)).toBe(false);
    }
  });
});
