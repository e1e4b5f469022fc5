#!/usr/bin/env node
// Runs a TypeScript entry point with swc (decorator metadata for NestJS and TypeORM, tsconfig path
// aliases). The swc options are the ones @swc-node/register derives from tsconfig.json, but both
// they and each compiled file are kept on disk: deriving the options loads TypeScript itself, a
// fifth of a second at every start of the ETL's CLI, the API and the worker. (SWCRC is not read;
// the cache is not pruned: it is in the system's temporary folder.)
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const project = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
const sha = (text) => crypto.createHash('sha1').update(text).digest('hex');

/**
 * The cache folder, or null (no cache: every start derives and compiles, as @swc-node/register
 * alone would). Only a folder of this user's that no one else may write: code is run from it.
 */
function cacheFolder() {
  let uid = null;
  try {
    uid = typeof process.getuid === 'function' ? process.getuid() : null;
  } catch {
    // no uid on this platform
  }
  const dir = process.env.BU_RUN_CACHE_DIR || path.join(os.tmpdir(), `boerneblik-run-${uid ?? 'user'}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory() || (uid !== null && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return null;
    return dir;
  } catch {
    return null;
  }
}
const cacheDir = cacheFolder();

function cached(name) {
  if (!cacheDir) return null;
  try {
    return fs.readFileSync(path.join(cacheDir, name), 'utf8');
  } catch {
    return null;
  }
}

/** Writes a cache file whole or not at all (another process may be reading it). */
function keep(name, text) {
  if (!cacheDir) return;
  const file = path.join(cacheDir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // A cache only: the next start derives or compiles again.
    try {
      fs.unlinkSync(tmp);
    } catch {
      // not written
    }
  }
}

/** The swc options for .ts and .tsx files, derived once per tsconfig and tool versions. */
function swcOptions() {
  const tsconfigs = [
    ...fs
      .readdirSync(root)
      .filter((f) => /^tsconfig.*\.json$/.test(f))
      .map((f) => path.join(root, f)),
    project,
  ];
  const inputs = [...new Set(tsconfigs)].sort().map((f) => `${f}\n${fs.readFileSync(f, 'utf8')}`);
  const versions = ['@swc-node/register', '@swc-node/core', '@swc/core'].map(
    (p) => `${p}@${JSON.parse(fs.readFileSync(path.join(root, 'node_modules', p, 'package.json'), 'utf8')).version}`,
  );
  // The environment that @swc-node/register reads into the options.
  const env = ['SWC_NODE_SOURCE_MAP_MODE', 'SWC_NODE_INLINE_SOURCE_MAP', 'SWC_NODE_IGNORE_DYNAMIC'].map(
    (v) => `${v}=${process.env[v] ?? ''}`,
  );
  const key = sha([project, root, ...env, ...versions, ...inputs].join('\n'));
  const name = `options-${key}.json`;
  try {
    const known = cached(name);
    if (known) return { key, options: JSON.parse(known) };
  } catch {
    // Unreadable: derived again.
  }
  const { readDefaultTsConfig, tsCompilerOptionsToSwcConfig } = require('@swc-node/register/read-default-tsconfig');
  const compilerOptions = readDefaultTsConfig(project);
  compilerOptions.module = 1; // CommonJS, as @swc-node/register sets it
  const options = {
    ts: tsCompilerOptionsToSwcConfig(compilerOptions, 'file.ts'),
    tsx: tsCompilerOptionsToSwcConfig(compilerOptions, 'file.tsx'),
  };
  keep(name, JSON.stringify(options));
  return { key, options };
}

const { key, options } = swcOptions();
let transformSync;

function compile(source, filename) {
  const name = `${sha(`${key}\n${filename}\n${source}`)}.js`;
  const known = cached(name);
  if (known !== null) return known;
  transformSync ??= require('@swc-node/core').transformSync;
  const { code, map } = transformSync(source, filename, filename.endsWith('.tsx') ? options.tsx : options.ts);
  const out = map
    ? `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}`
    : code;
  keep(name, out);
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
