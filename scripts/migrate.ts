// npm run db:migrate — applies pending migrations to DATABASE_URL (the owner). With API_DB_PASSWORD
// set, the API's role bu_api may then log in with it (the API's own DATABASE_URL, docs/SECURITY.md).
import { ConfigError, databaseUrlFromEnv, exitOnConfigError, secretProblem, settings } from '@bu/config';
import { enableApiLogin, migrate } from '@bu/db';

const { env, url } = exitOnConfigError(() => {
  const parsed = settings();
  const problem = parsed.API_DB_PASSWORD === undefined ? null : secretProblem('API_DB_PASSWORD', parsed.API_DB_PASSWORD);
  if (problem) throw new ConfigError([problem]);
  return { env: parsed, url: databaseUrlFromEnv() };
});

async function main(url: string): Promise<void> {
  const applied = await migrate(url);
  console.log(applied.length ? `Migrations applied: ${applied.join(', ')}` : 'Database is up to date.');
  if (env.API_DB_PASSWORD !== undefined) {
    await enableApiLogin(url, env.API_DB_PASSWORD);
    console.log("The API's role bu_api may log in (API_DB_PASSWORD).");
  }
}

main(url).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
