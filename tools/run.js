#!/usr/bin/env node
// Runs a TypeScript entry point with swc (decorator metadata for NestJS and TypeORM, tsconfig path
// aliases). The swc options are the ones @swc-node/register derives from tsconfig.json, but both
// they and each compiled file are kept on disk: deriving the options loads TypeScript itself, a
// fifth of a second at every start of the ETL's CLI, the API and the worker.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const project = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
const cacheDir = process.env.BU_RUN_CACHE_DIR || path.join(os.tmpdir(), `boerneblik-run-${os.userInfo().uid}`);
const sha = (text) => crypto.createHash('sha1').update(text).digest('hex');

/** Writes a cache file whole or not at all (another process may be reading it). */
function keep(file, text) {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch {
    // A cache only: the next start derives or compiles again.
  }
}

/** The swc options for .ts and .tsx files, derived once per tsconfig and tool versions. */
function swcOptions() {
  const inputs = fs
    .readdirSync(root)
    .filter((f) => /^tsconfig.*\.json$/.test(f))
    .sort()
    .map((f) => `${f}\n${fs.readFileSync(path.join(root, f), 'utf8')}`);
  const versions = ['@swc-node/register', '@swc-node/core', '@swc/core'].map((p) => `${p}@${JSON.parse(fs.readFileSync(path.join(root, 'node_modules', p, 'package.json'), 'utf8')).version}`);
  const key = sha([project, root, process.env.SWC_NODE_SOURCE_MAP_MODE ?? '', ...versions, ...inputs].join('\n'));
  const file = path.join(cacheDir, `options-${key}.json`);
  try {
    return { key, options: JSON.parse(fs.readFileSync(file, 'utf8')) };
  } catch {
    // Not derived yet for these inputs.
  }
  const { readDefaultTsConfig, tsCompilerOptionsToSwcConfig } = require('@swc-node/register/read-default-tsconfig');
  const compilerOptions = readDefaultTsConfig(project);
  compilerOptions.module = 1; // CommonJS, as @swc-node/register sets it
  const options = { ts: tsCompilerOptionsToSwcConfig(compilerOptions, 'file.ts'), tsx: tsCompilerOptionsToSwcConfig(compilerOptions, 'file.tsx') };
  keep(file, JSON.stringify(options));
  return { key, options };
}

const { key, options } = swcOptions();
let transformSync;

function compile(source, filename) {
  const file = path.join(cacheDir, `${sha(`${key}\n${filename}\n${source}`)}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Not compiled yet in this version.
  }
  transformSync ??= require('@swc-node/core').transformSync;
  const { code, map } = transformSync(source, filename, filename.endsWith('.tsx') ? options.tsx : options.ts);
  const out = map ? `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}` : code;
  keep(file, out);
  return out;
}

// Stack traces point into the TypeScript sources.
process.setSourceMapsEnabled(true);
require('pirates').addHook(compile, { exts: ['.ts', '.tsx', '.cts'], ignoreNodeModules: true });

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run.js <file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
require(path.resolve(entry));
