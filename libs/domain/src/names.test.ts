import { describe, expect, it } from 'vitest';
import { nameIn } from './names';

describe(nameIn.name, () => {
  it('finds a common first name or surname written as a name', () => {
    expect(nameIn('Emma fortæller, at hun savner sin mor.')).toBe('Emma');
    expect(nameIn('Pigen bor hos familien Jensen i weekenderne.')).toBe('Jensen');
    expect(nameIn('Hun kalder plejemor for Marie-Louise.')).toBe('Marie');
    expect(nameIn('Drengen og Søren spiller fodbold.')).toBe('Søren');
  });

  it('lets an ordinary sentence about the child through', () => {
    expect(nameIn('Pigen på 12 år siger, at hun gerne vil bo hos sin far. Hans kæreste er sød.')).toBeNull();
    expect(nameIn('Drengen fortæller om Team Nord og Barnets Lov; en storm, en line, per måned.')).toBeNull();
    // A lower-case word is no name, even when it is spelt like one.
    expect(nameIn('emma og jensen')).toBeNull();
  });

  it("finds the names it is given, by their parts (the municipality's caseworkers)", () => {
    expect(nameIn('Rådgiveren Gudrun talte med barnet.', ['Gudrun Skov'])).toBe('Gudrun');
    expect(nameIn('Talt med Skovgaard om det.', ['Gudrun Skovgaard'])).toBe('Skovgaard');
    expect(nameIn('Barnet blev hørt.', ['Gudrun Skovgaard', 'Bo Berg'])).toBeNull();
  });
});
