import { existsSync } from 'fs';
import { join, resolve } from 'path';

/** Builds the dashboard when dist/web is missing (a fresh clone). */
export async function ensureWebBuilt(root: string): Promise<string> {
  const out = resolve(root, 'dist/web');
  if (!existsSync(join(out, 'index.html'))) {
    console.log('Building the dashboard ...');
    const { build } = await import('vite');
    await build({ configFile: resolve(root, 'apps/web/vite.config.mts'), logLevel: 'warn' });
  }
  return out;
}
