import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AdminComment, Goal } from '@bu/contracts';

/** A goal as written: every column but the id. */
export type GoalWrite = Omit<Goal, 'id'>;

export interface CommentWrite {
  municipality: number;
  subjectType: string;
  subjectKey: string;
  period: string;
  text: string;
  author: string;
}

/** political_goal and admin_comment. Queries run on the request's scoped connection (row-level security). */
@Injectable()
export class GoalsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  goals(municipality: number): Promise<Goal[]> {
    return this.db.query(
      `SELECT id, municipality_code AS municipality, kpi_id AS kpi, title, policy_text AS "policyText", direction, target::float AS target,
              tolerance::float AS tolerance, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo"
       FROM political_goal WHERE municipality_code = $1 ORDER BY id`,
      [municipality],
    );
  }

  async createGoal(g: GoalWrite, createdBy: string): Promise<number> {
    const [row] = await this.db.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, policy_text, direction, target, tolerance, valid_from, valid_to, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [g.municipality, g.kpi, g.title, g.policyText, g.direction, g.target, g.tolerance, g.validFrom, g.validTo, createdBy],
    );
    return row.id;
  }

  /** Whether the municipality's goal existed (and was changed). */
  async updateGoal(id: number, g: GoalWrite): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE political_goal SET kpi_id = $2, title = $3, policy_text = $4, direction = $5, target = $6, tolerance = $7, valid_from = $8, valid_to = $9
       WHERE id = $1 AND municipality_code = $10`,
      [id, g.kpi, g.title, g.policyText, g.direction, g.target, g.tolerance, g.validFrom, g.validTo, g.municipality],
    );
    return count > 0;
  }

  /** Deletes the goal, within the municipality when one is given; whether it existed. */
  async deleteGoal(id: number, municipality: number | null): Promise<boolean> {
    const [, count] = await this.db.query('DELETE FROM political_goal WHERE id = $1 AND ($2::smallint IS NULL OR municipality_code = $2)', [
      id,
      municipality,
    ]);
    return count > 0;
  }

  comments(municipality: number, period: string | null): Promise<AdminComment[]> {
    return this.db.query(
      `SELECT subject_type AS "subjectType", subject_key AS "subjectKey", period, text, author, updated_at AS "updatedAt"
       FROM admin_comment WHERE municipality_code = $1 AND ($2::text IS NULL OR period = $2) ORDER BY subject_type, subject_key`,
      [municipality, period],
    );
  }

  async saveComment(c: CommentWrite): Promise<void> {
    await this.db.query(
      `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (municipality_code, subject_type, subject_key, period) DO UPDATE SET text = EXCLUDED.text, author = EXCLUDED.author, updated_at = now()`,
      [c.municipality, c.subjectType, c.subjectKey, c.period, c.text, c.author],
    );
  }

  /** Whether the comment existed. */
  async deleteComment(municipality: number, subjectType: string, subjectKey: string, period: string): Promise<boolean> {
    const [, count] = await this.db.query(
      'DELETE FROM admin_comment WHERE municipality_code = $1 AND subject_type = $2 AND subject_key = $3 AND period = $4',
      [municipality, subjectType, subjectKey, period],
    );
    return count > 0;
  }
}
