import { existsSync, readdirSync } from 'fs';
import { join } from 'path';
import { expect } from 'vitest';

/** A folder's entries, sorted. */
export const ls = (dir: string) => readdirSync(dir).sort();

/** The one delivery folder in `<dir>/<state>/`. */
export const delivery = (dir: string, state: string) => {
  const found = ls(join(dir, state));
  expect(found).toHaveLength(1);
  return join(dir, state, found[0]);
};

/** Whether a delivery has been moved into the drop folder's `state/` (the folder itself is made first). */
export const settled = (dir: string, state: string) => existsSync(join(dir, state)) && ls(join(dir, state)).length === 1;
