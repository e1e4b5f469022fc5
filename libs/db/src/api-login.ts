import { Client } from 'pg';
import { APPLICATION_NAME } from '@bu/config';

/** The API's database role (row-level security, append-only audit log); migrations make it NOLOGIN. */
export const API_ROLE = 'bu_api';

/**
 * Lets the API log in as its own role, so a compromised API process holds no owner connection
 * (with only `SET ROLE`, it could `RESET ROLE` to the owner). Run by `npm run db:migrate` when
 * API_DB_PASSWORD is set; the API's DATABASE_URL then names bu_api with that password.
 */
export async function enableApiLogin(url: string, password: string): Promise<void> {
  const client = new Client({ connectionString: url, application_name: APPLICATION_NAME.migrate });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${API_ROLE} WITH LOGIN PASSWORD ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}
