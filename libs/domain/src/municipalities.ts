import { readFileSync } from 'fs';
import { join } from 'path';

export interface Municipality {
  code: number;
  name: string;
}

let cache: Municipality[] | undefined;

/** The 98 Danish municipalities (reference data shipped with the product). */
export function municipalities(): Municipality[] {
  if (!cache) {
    const text = readFileSync(join(__dirname, '..', 'data', 'kommuner.csv'), 'utf8').replace(/^\uFEFF/, '');
    cache = text
      .split(/\r?\n/)
      .slice(1)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [code, name] = line.split(';');
        return { code: Number(code), name: name.trim() };
      });
  }
  return cache;
}

export function isMunicipalityCode(code: number): boolean {
  return municipalities().some((m) => m.code === code);
}

/** Resolves "Aarhus", "Aarhus Kommune" or "aarhus" to its code; undefined when unknown. */
export function municipalityByName(name: string): Municipality | undefined {
  const wanted = name
    .trim()
    .replace(/\s+kommune$/i, '')
    .toLowerCase();
  return municipalities().find((m) => m.name.toLowerCase() === wanted);
}
