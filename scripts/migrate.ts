// npm run db:migrate — applies pending migrations to DATABASE_URL.
import { exitOnConfigError, settings } from '@bu/config';
import { migrate } from '@bu/db';

const url = exitOnConfigError(() => settings()).DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL er ikke sat');
  process.exit(1);
}
migrate(url).then(
  (applied) => console.log(applied.length ? `Migrations applied: ${applied.join(', ')}` : 'Database is up to date.'),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
