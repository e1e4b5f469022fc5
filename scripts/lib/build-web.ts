import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'fs';
import { join, resolve } from 'path';

// The dashboard is served from dist/web. A build left over from before a change to the dashboard's
// sources would serve (or test) old code, so the build is redone whenever a source is newer than
// it. Test files run in parallel forks: a lock folder lets one process build at a time.

const SOURCES = ['apps/web/src', 'apps/web/index.html', 'apps/web/vite.config.mts', 'dashboards/src', 'libs/contracts/src'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // Unit tests beside the sources are not part of the build.
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((name) => !name.endsWith('.test.ts'))
      .map((name) => newestMtime(join(path, name))),
  );
}

function isStale(root: string, out: string): boolean {
  const index = join(out, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newestMtime(resolve(root, s)) > built);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dist/web, built from the current sources (a fresh clone builds it once). */
export async function ensureWebBuilt(root: string): Promise<string> {
  const out = resolve(root, 'dist/web');
  if (!isStale(root, out)) return out;
  mkdirSync(resolve(root, 'dist'), { recursive: true });
  const lock = resolve(root, 'dist/.web-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another fork is building; a lock older than the deadline is left over from a killed run.
      if (Date.now() > deadline || Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 180_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    if (isStale(root, out)) {
      console.log('Building the dashboard ...');
      // Vitest sets NODE_ENV=test, which would give React's development build (double effects in
      // StrictMode, slower): the tests run against what users get.
      const env = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        const { build } = await import('vite');
        await build({ configFile: resolve(root, 'apps/web/vite.config.mts'), logLevel: 'warn' });
      } finally {
        process.env.NODE_ENV = env;
      }
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return out;
}
