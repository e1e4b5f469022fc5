import { describe, expect, it } from 'vitest';
import { DEMO_IMPORTER, importedBy } from './imported-by';

describe('importedBy: who the import log names (ADR 0069)', () => {
  it('names the user who uploaded, by username', () => {
    expect(importedBy('admin')).toBe('admin');
    expect(importedBy('mette.hansen')).toBe('mette.hansen');
  });

  it('names the demo data, also as stored before the decision, never "npm start"', () => {
    expect(importedBy(DEMO_IMPORTER)).toBe('Demodata');
    expect(importedBy('npm start')).toBe('Demodata');
  });

  it('names the command line with its operating-system user, the drop folder, the purge and the schedule', () => {
    expect(importedBy('cli:jens')).toBe('Kommandolinjen (jens)');
    expect(importedBy('drop-folder:3')).toBe('Afleveringsmappe 3');
    expect(importedBy('retention')).toBe('Automatisk sletning (opbevaringsfrist)');
    expect(importedBy('planlagt')).toBe('Planlagt');
  });

  it('says "Ukendt" when nothing was stored (an import run straight from the library)', () => {
    expect(importedBy(null)).toBe('Ukendt');
    expect(importedBy(undefined)).toBe('Ukendt');
    expect(importedBy('')).toBe('Ukendt');
  });
});
