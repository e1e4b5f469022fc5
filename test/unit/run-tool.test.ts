import { execFileSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, describe, expect, it } from 'vitest';

// tools/run.js keeps the swc options and the compiled files on disk: a changed source must be
// compiled again, decorators keep their metadata, path aliases resolve, and an unwritable cache
// only costs speed.

const ROOT = resolve(__dirname, '../..');
const cache = mkdtempSync(join(tmpdir(), 'bu-run-cache-'));
// Inside the repository, so that tsconfig's paths and the project's node_modules apply.
const dir = mkdtempSync(join(ROOT, 'test', 'unit', '.run-tool-'));
const run = (file: string, env: Record<string, string> = {}) =>
  execFileSync(process.execPath, [join(ROOT, 'tools/run.js'), file, 'arg1'], {
    cwd: ROOT,
    env: { ...process.env, BU_RUN_CACHE_DIR: cache, ...env },
    encoding: 'utf8',
  }).trim();

afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('tools/run.js', () => {
  it('runs TypeScript with decorator metadata and path aliases, and compiles a changed file again', () => {
    const file = join(dir, 'entry.ts');
    const source = (greeting: string) => `import 'reflect-metadata';
import { isValidDate } from '@bu/domain';
function Marked(): PropertyDecorator { return () => undefined; }
class Thing { @Marked() when: Date = new Date(0); }
const type = Reflect.getMetadata('design:type', Thing.prototype, 'when') as { name: string };
const n: number = 1;
console.log(['${greeting}', type.name, isValidDate(2024, 2, 29), process.argv[2], n].join(' '));
`;
    writeFileSync(file, source('hej'));
    expect(run(file)).toBe('hej Date true arg1 1');
    const kept = readdirSync(cache).length;
    expect(kept).toBeGreaterThan(1);
    // The same again comes from the cache (nothing new kept); a change is compiled again.
    expect(run(file)).toBe('hej Date true arg1 1');
    expect(readdirSync(cache).length).toBe(kept);
    writeFileSync(file, source('farvel'));
    expect(run(file)).toBe('farvel Date true arg1 1');
  });

  it('still runs, without a cache, when the cache folder cannot be written or others could write to it', () => {
    const file = join(dir, 'plain.ts');
    writeFileSync(file, `const s: string = 'ok'; console.log(s);\n`);
    // A cache folder inside a file: it can be neither made nor written.
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    expect(run(file, { BU_RUN_CACHE_DIR: join(blocker, 'cache') })).toBe('ok');
    // A folder others may write to is not used: code is run from it.
    const open = join(dir, 'open-cache');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(run(file, { BU_RUN_CACHE_DIR: open })).toBe('ok');
    expect(readdirSync(open)).toEqual([]);
  });
});
