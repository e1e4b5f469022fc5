import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describe, expect, it } from 'vitest';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';

const OPTIONS = { municipalityCode: 461, seed: 7, children: 300, firstYear: 2021, exportDate: '2024-11-24', messy: true };

describe('demo DUBU export', () => {
  it('writes all 12 files, the same bytes for the same seed', async () => {
    const a = mkdtempSync(join(tmpdir(), 'demo-a-'));
    const b = mkdtempSync(join(tmpdir(), 'demo-b-'));
    const result = await generateDubuExport(a, OPTIONS);
    await generateDubuExport(b, OPTIONS);
    expect(readdirSync(a).sort()).toEqual(
      [
        'boernesamtaler',
        'effektmaalinger',
        'handleplaner',
        'klager',
        'medarbejdere',
        'opfoelgninger',
        'sagsansvar',
        'sager',
        'tilsyn',
        'underretninger',
        'undersoegelser',
        'ydelser',
      ]
        .map((f) => `${f}.csv`)
        .sort(),
    );
    for (const f of readdirSync(a)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    expect(readFileSync(join(a, 'sager.csv'), 'utf8')).toMatch(/^\uFEFFSagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket\n/);
    expect(result.stats).toMatchObject({ duplicateRows: 1, dateBefore1970: 1, endBeforeStart: 1, unknownMeasureType: 1 });
  });

  it('resembles the national figures: most placed children in family-type care', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-c-'));
    await generateDubuExport(dir, OPTIONS);
    const rows = readFileSync(join(dir, 'ydelser.csv'), 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(';'));
    const placementTypes = [
      'Netværkspleje',
      'Plejefamilie',
      'Kommunal plejefamilie',
      'Opholdssted',
      'Døgninstitution',
      'Sikret døgninstitution',
      'Eget værelse',
    ];
    const placements = rows.filter((r) => placementTypes.includes(r[3]));
    const family = placements.filter((r) => ['Netværkspleje', 'Plejefamilie', 'Kommunal plejefamilie'].includes(r[3]));
    expect(placements.length).toBeGreaterThan(10);
    const share = family.length / placements.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.8);
  });
});
