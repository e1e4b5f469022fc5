#!/usr/bin/env node
// npm run build:server — the server side as plain CommonJS JavaScript in dist/server, for the
// production image (`node dist/server/scripts/serve.js`). Development and tests never need it:
// tools/run.js compiles the same sources at start-up, with the same swc options (derived here the
// same way from tsconfig.json: decorator metadata for NestJS and TypeORM, the @bu/* aliases of
// tsconfig.base.json rewritten to relative paths). Not incremental: it rebuilds dist/server whole
// in a few seconds.
//
// What is compiled: every .ts under the server's source folders (apps/api, apps/worker, libs/*,
// etl, dashboards — except tests), the production scripts, and whatever they import by a relative
// path, followed file by file. A import that names no source file stops the build.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'server');

/** Folders compiled whole; a new lib under libs/ is picked up without a change here. */
const SOURCE_DIRS = [
  'apps/api/src',
  'apps/worker/src',
  'etl/src',
  'dashboards/src',
  ...fs
    .readdirSync(path.join(root, 'libs'))
    .map((lib) => `libs/${lib}/src`)
    .filter((dir) => fs.existsSync(path.join(root, dir))),
];
/** The scripts a production image runs (docker/compose.yml, docker/README.md). Not start.ts: the embedded default is development only. */
const ENTRIES = ['scripts/serve.ts', 'scripts/migrate.ts', 'scripts/admin.ts'];
/** Files read at run time beside the code (relative to __dirname there). */
const ASSETS = ['libs/domain/data', 'apps/worker/assets'];

const isSource = (file) => /\.tsx?$/.test(file) && !/\.(test|spec)\.tsx?$/.test(file) && !file.endsWith('.d.ts');

function sourcesUnder(dir) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    // testing/: fakes and helpers for specs (they require vitest), never run in production.
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourcesUnder(rel);
    return isSource(entry.name) ? [rel] : [];
  });
}

/** The swc options tools/run.js uses (via @swc-node/register), for .ts and .tsx. */
function swcOptions() {
  const { readDefaultTsConfig, tsCompilerOptionsToSwcConfig } = require('@swc-node/register/read-default-tsconfig');
  const compilerOptions = readDefaultTsConfig(path.join(root, 'tsconfig.json'));
  compilerOptions.module = 1; // CommonJS
  compilerOptions.sourceMap = true;
  return { ts: tsCompilerOptionsToSwcConfig(compilerOptions, 'file.ts'), tsx: tsCompilerOptionsToSwcConfig(compilerOptions, 'file.tsx') };
}

/** The source file a relative require of `from` names, or null. */
function resolveSource(from, specifier) {
  const base = path.resolve(path.dirname(path.join(root, from)), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile() && isSource(candidate)) return path.relative(root, candidate);
  }
  return null;
}

function build() {
  const started = Date.now();
  const options = swcOptions();
  const { transformSync } = require('@swc-node/core');
  fs.rmSync(out, { recursive: true, force: true });

  const queue = [...SOURCE_DIRS.flatMap(sourcesUnder), ...ENTRIES];
  const done = new Set();
  const missing = [];
  while (queue.length > 0) {
    const file = queue.shift().split(path.sep).join('/');
    if (done.has(file)) continue;
    done.add(file);
    const absolute = path.join(root, file);
    const { code, map } = transformSync(fs.readFileSync(absolute, 'utf8'), absolute, file.endsWith('.tsx') ? options.tsx : options.ts);
    const target = path.join(out, file.replace(/\.tsx?$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // The map names the source relative to the .js file and carries its text: stack traces show
    // TypeScript lines (node --enable-source-maps) although the image holds no .ts file.
    const sourceMap = JSON.parse(map);
    sourceMap.sources = [path.relative(path.dirname(target), absolute).split(path.sep).join('/')];
    sourceMap.file = path.basename(target);
    fs.writeFileSync(`${target}.map`, JSON.stringify(sourceMap));
    fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    // Relative requires (the aliases are relative by now) bring in what the entries import outside the source folders.
    for (const [, specifier] of code.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)) {
      const source = resolveSource(file, specifier);
      if (source) queue.push(source);
      else if (!/\.(json|js|cjs)$/.test(specifier)) missing.push(`${file}: ${specifier}`);
    }
  }
  if (missing.length > 0) throw new Error(`imports that name no source file:\n  ${missing.join('\n  ')}`);

  for (const asset of ASSETS) fs.cpSync(path.join(root, asset), path.join(out, asset), { recursive: true });
  console.log(`dist/server: ${done.size} files compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  build();
} catch (error) {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
}
