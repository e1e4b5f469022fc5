import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PendingLogin {
  nonce: string;
  codeVerifier: string;
  /** Started within the allowed time. */
  fresh: boolean;
}

/**
 * How often a process removes logins in flight that never came back: not at every login start, so
 * that a flood of anonymous starts costs an insert each, not a search of the table (a late one is
 * refused by its age all the same, and the daily purge removes what is left).
 */
export const SSO_REQUEST_PRUNE_MS = 60_000;

/** The OpenID Connect login's own rows: the login in flight (sso_request) and the logout hint (oidc_session). */
@Injectable()
export class OidcRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** When this process last removed old logins in flight (SSO_REQUEST_PRUNE_MS). */
  private prunedAt = 0;

  /** A login in flight, keyed by its state; old ones that never came back go, at most once a minute. */
  async saveRequest(state: string, nonce: string, codeVerifier: string, maxAgeSeconds: number): Promise<void> {
    if (Date.now() - this.prunedAt >= SSO_REQUEST_PRUNE_MS) {
      this.prunedAt = Date.now();
      await this.db.query(`DELETE FROM sso_request WHERE provider = 'oidc' AND created_at < now() - make_interval(secs => $1)`, [
        maxAgeSeconds * 2,
      ]);
    }
    await this.db.query(`INSERT INTO sso_request (id, provider, nonce, code_verifier) VALUES ($1, 'oidc', $2, $3)`, [
      state,
      nonce,
      codeVerifier,
    ]);
  }

  /** The login in flight for the state, removed as it is read: a second callback with it finds nothing. */
  async takeRequest(state: string, maxAgeSeconds: number): Promise<PendingLogin | undefined> {
    // TypeORM answers a DELETE with [rows, count].
    const [rows]: [PendingLogin[], number] = await this.db.query(
      `DELETE FROM sso_request WHERE id = $1 AND provider = 'oidc'
       RETURNING nonce, code_verifier AS "codeVerifier", created_at > now() - make_interval(secs => $2) AS fresh`,
      [state, maxAgeSeconds],
    );
    return rows[0];
  }

  /** The ID token of the person's latest login (the logout hint), replacing an earlier one. */
  async saveSession(externalId: string, idToken: string, ttlSeconds: number): Promise<void> {
    await this.db.query(`DELETE FROM oidc_session WHERE expires_at < now()`);
    await this.db.query(
      `INSERT INTO oidc_session (external_id, id_token, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (external_id) DO UPDATE SET id_token = EXCLUDED.id_token, expires_at = EXCLUDED.expires_at`,
      [externalId, idToken, ttlSeconds],
    );
  }

  async dropSession(externalId: string): Promise<void> {
    await this.db.query(`DELETE FROM oidc_session WHERE external_id = $1`, [externalId]);
  }

  /** The user's logout hint, removed as it is read; undefined for a password user or an ended session. */
  async takeSession(username: string): Promise<string | undefined> {
    const [rows]: [{ idToken: string }[], number] = await this.db.query(
      `DELETE FROM oidc_session s USING app_user u
       WHERE u.username = $1 AND u.auth_source = 'oidc' AND s.external_id = u.external_id AND s.expires_at > now()
       RETURNING s.id_token AS "idToken"`,
      [username],
    );
    return rows[0]?.idToken;
  }
}
