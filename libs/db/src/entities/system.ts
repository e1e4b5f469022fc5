import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity('import_run')
export class ImportRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('smallint', { name: 'municipality_code', nullable: true }) municipalityCode: number | null;
  @Column('text') source: string;
  @Column('date', { name: 'export_date', nullable: true }) exportDate: string | null;
  @Column('text') status: 'running' | 'succeeded' | 'failed';
  @Column('text', { name: 'requested_by', nullable: true }) requestedBy: string | null;
  @Column('text', { name: 'job_id', nullable: true }) jobId: string | null;
  @Column('timestamptz', { name: 'started_at' }) startedAt: Date;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
  @Column('jsonb') files: unknown;
  @Column('jsonb') loaded: Record<string, number>;
  @Column('jsonb') unchanged: Record<string, number>;
  @Column('jsonb') removed: Record<string, number>;
  @Column('integer', { name: 'rejected_count' }) rejectedCount: number;
  @Column('integer', { name: 'warning_count' }) warningCount: number;
  @Column('text', { nullable: true }) error: string | null;
  @Column('jsonb', { nullable: true }) reuse: Record<string, unknown> | null;
  @Column('bigint', { name: 'same_as', nullable: true }) sameAs: string | null;
}

@Entity('import_issue')
export class ImportIssueEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('bigint', { name: 'import_id' }) importId: string;
  @Column('smallint', { name: 'municipality_code', nullable: true }) municipalityCode: number | null;
  @Column('text') severity: 'error' | 'warning';
  @Column('text') file: string;
  @Column('integer', { nullable: true }) line: number | null;
  @Column('text') rule: string;
  @Column('text', { nullable: true }) value: string | null;
  @Column('text') message: string;
}

@Entity('source_snapshot')
export class SourceSnapshotEntity {
  @PrimaryColumn('smallint', { name: 'municipality_code' }) municipalityCode: number;
  @PrimaryColumn('text') source: string;
  @Column('date', { name: 'export_date' }) exportDate: string;
  @Column('bigint', { name: 'import_id' }) importId: string;
  /** Which pseudonym key made the person ids (case systems only). */
  @Column('text', { name: 'pseudonym_key_id', nullable: true }) pseudonymKeyId: string | null;
}

@Entity('app_user')
export class AppUserEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column('text', { unique: true }) username: string;
  @Column('text', { name: 'password_hash' }) passwordHash: string;
  @Column('text') role: string;
  @Column('smallint', { name: 'municipality_code', nullable: true }) municipalityCode: number | null;
  @Column('text', { array: true }) teams: string[];
  @Column('boolean') demo: boolean;
  /** Part of every token: bumped to end the user's sessions (migration 1733100000000). */
  @Column('integer', { name: 'token_version' }) tokenVersion: number;
  @Column('boolean') disabled: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
  @Column('text') username: string;
  @Column('text') role: string;
  @Column('text') action: string;
  @Column('smallint', { name: 'municipality_code', nullable: true }) municipalityCode: number | null;
  /** Rows written before audit_case_set; newer rows point at their set of cases (view audit_access). */
  @Column('text', { name: 'case_ids', array: true, nullable: true }) caseIds: string[] | null;
  @Column('bigint', { name: 'case_set_id', nullable: true }) caseSetId: string | null;
  @Column('jsonb') detail: Record<string, unknown>;
}

@Entity('setting')
export class SettingEntity {
  @PrimaryColumn('smallint', { name: 'municipality_code' }) municipalityCode: number;
  @PrimaryColumn('text') key: string;
  @Column('jsonb') value: unknown;
}
