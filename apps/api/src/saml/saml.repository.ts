import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SSO_REQUEST_PRUNE_MS } from '../oidc/oidc.repository';

/** A SAML login in flight (sso_request) and the assertion ids already used (sso_replay). */
@Injectable()
export class SamlRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  private prunedAt = 0;

  /** Keeps the id of an AuthnRequest sent to the identity provider (and drops those too old to be answered, at most once a minute). */
  async saveRequest(id: string, maxAgeSeconds: number): Promise<void> {
    if (Date.now() - this.prunedAt >= SSO_REQUEST_PRUNE_MS) {
      this.prunedAt = Date.now();
      await this.db.query(`DELETE FROM sso_request WHERE provider = 'saml' AND created_at < now() - make_interval(secs => $1)`, [
        maxAgeSeconds,
      ]);
    }
    await this.db.query(`INSERT INTO sso_request (id, provider) VALUES ($1, 'saml')`, [id]);
  }

  /**
   * Takes the AuthnRequest id out (at most one caller ever gets it): true when it was sent by us
   * less than maxAgeSeconds ago and not used before.
   */
  async takeRequest(id: string, maxAgeSeconds: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      // A SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count].
      `WITH taken AS (DELETE FROM sso_request WHERE id = $1 AND provider = 'saml' RETURNING created_at)
       SELECT created_at > now() - make_interval(secs => $2) AS fresh FROM taken`,
      [id, maxAgeSeconds],
    );
    return (rows[0] as { fresh?: boolean } | undefined)?.fresh === true;
  }

  /** Records an assertion id until it expires: false when it was recorded before (a replay). */
  async useAssertion(id: string, expiresAt: Date): Promise<boolean> {
    await this.db.query(`DELETE FROM sso_replay WHERE provider = 'saml' AND expires_at < now()`);
    const rows: unknown[] = await this.db.query(
      `INSERT INTO sso_replay (provider, id, expires_at) VALUES ('saml', $1, $2) ON CONFLICT DO NOTHING RETURNING id`,
      [id, expiresAt],
    );
    return rows.length === 1;
  }
}
