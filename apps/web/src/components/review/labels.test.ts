import { describe, expect, it } from 'vitest';
import { factCell } from './labels';

describe('a case fact as shown', () => {
  it('says "Anden sag" for another of the child\'s cases whose number the API leaves out, and shows the others', () => {
    expect(factCell('case', null)).toBe('Anden sag');
    expect(factCell('case', 'C1')).toBe('C1');
    expect(factCell('completed', null)).toBe('–');
    expect(factCell('family', 'placement')).toBe('Anbringelse');
    expect(factCell('received', '2024-01-10T09:00')).toBe('10.01.2024 09.00');
  });
});
