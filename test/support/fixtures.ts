import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

export const FIXTURES = resolve(__dirname, '..', 'fixtures');
export const DUBU_SMALL = join(FIXTURES, 'dubu-small');
/** The as-of date the small DUBU fixture is built around (a leap day). */
export const DUBU_SMALL_D = '2024-02-29';
export const DUBU_SMALL_MUNICIPALITY = 461;

/** A scratch copy of a fixture folder, to edit for one test. */
export function copyFixture(dir: string): string {
  const target = mkdtempSync(join(tmpdir(), 'bu-fixture-'));
  cpSync(dir, target, { recursive: true });
  return target;
}

export function editFile(dir: string, file: string, edit: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}

/**
 * A scratch copy of a DUBU fixture (Odense's, 461) as another municipality's export: the same cases
 * under its `Kommunenr`.
 */
export function dubuAs(dir: string, municipality: number): string {
  const copy = copyFixture(dir);
  editFile(copy, 'sager.csv', (text) => text.replaceAll(';461;', `;${municipality};`));
  return copy;
}

/** Every CPR number in a fixture folder, as written (with or without the dash). */
export function fixtureCprs(dir: string, file = 'sager.csv'): string[] {
  const text = readFileSync(join(dir, file), 'utf8');
  return [...new Set([...text.matchAll(/\b(\d{6})-?(\d{4})\b/g)].map((m) => `${m[1]}${m[2]}`))];
}
