import { Column, Entity, PrimaryColumn } from 'typeorm';

// Facts from the case systems. The key is always (municipality, source, id in the source).
abstract class SourceFact {
  @PrimaryColumn('smallint', { name: 'municipality_code' }) municipalityCode: number;
  @PrimaryColumn('text') source: string;
}

@Entity('team')
export class TeamEntity extends SourceFact {
  @PrimaryColumn('text') name: string;
}

@Entity('caseworker')
export class CaseworkerEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'worker_id' }) workerId: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) team: string | null;
  @Column('text', { name: 'job_title', nullable: true }) jobTitle: string | null;
  @Column('date', { name: 'employed_from', nullable: true }) employedFrom: string | null;
  @Column('date', { name: 'employed_to', nullable: true }) employedTo: string | null;
}

@Entity('person')
export class PersonEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'person_id' }) personId: string;
  @Column('date', { name: 'birth_date', nullable: true }) birthDate: string | null;
  @Column('char', { nullable: true }) sex: 'M' | 'K' | null;
}

@Entity('child_case')
export class ChildCaseEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'case_id' }) caseId: string;
  @Column('text', { name: 'person_id' }) personId: string;
  @Column('text') area: string;
  @Column('date') opened: string;
  @Column('date', { nullable: true }) closed: string | null;
}

@Entity('assignment')
export class AssignmentEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'case_id' }) caseId: string;
  /** '' = nobody responsible from valid_from. */
  @PrimaryColumn('text', { name: 'worker_id' }) workerId: string;
  @PrimaryColumn('date', { name: 'valid_from' }) validFrom: string;
  @Column('date', { name: 'valid_to', nullable: true }) validTo: string | null;
}

@Entity('notification')
export class NotificationEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'notification_id' }) notificationId: string;
  @Column('text', { name: 'person_id' }) personId: string;
  @Column('text', { name: 'case_id', nullable: true }) caseId: string | null;
  @Column('timestamptz', { name: 'received_at' }) receivedAt: Date;
  @Column('timestamptz', { name: 'assessed_at', nullable: true }) assessedAt: Date | null;
  @Column('text') channel: string;
  @Column('boolean', { nullable: true }) acute: boolean | null;
}

@Entity('investigation')
export class InvestigationEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'investigation_id' }) investigationId: string;
  @Column('text', { name: 'case_id' }) caseId: string;
  @Column('date') started: string;
  @Column('date', { nullable: true }) completed: string | null;
  @Column('text', { name: 'legal_basis', nullable: true }) legalBasis: string | null;
}

@Entity('measure')
export class MeasureEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'measure_id' }) measureId: string;
  @Column('text', { name: 'case_id' }) caseId: string;
  @Column('text', { name: 'legal_basis', nullable: true }) legalBasis: string | null;
  @Column('text', { nullable: true }) law: 'SEL' | 'BL' | null;
  @Column('text', { nullable: true }) paragraph: string | null;
  @Column('text', { name: 'measure_type' }) measureType: string;
  @Column('text', { name: 'type_code', nullable: true }) typeCode: string | null;
  @Column('text') family: 'placement' | 'preventive' | 'economic' | 'unknown';
  @Column('boolean', { name: 'family_care' }) familyCare: boolean;
  @Column('text', { nullable: true }) provider: string | null;
  @Column('date', { nullable: true }) decided: string | null;
  @Column('date') started: string;
  @Column('date', { nullable: true }) ended: string | null;
  @Column('numeric', { name: 'monthly_cost', nullable: true }) monthlyCost: string | null;
  @Column('smallint', { name: 'followup_cadence_months', nullable: true }) followupCadenceMonths: number | null;
}

@Entity('action_plan')
export class ActionPlanEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'plan_id' }) planId: string;
  @Column('text', { name: 'case_id' }) caseId: string;
  @Column('date', { name: 'plan_date' }) planDate: string;
  @Column('text', { name: 'plan_type', nullable: true }) planType: string | null;
}

@Entity('followup')
export class FollowupEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'measure_id' }) measureId: string;
  @PrimaryColumn('date', { name: 'followup_date' }) followupDate: string;
}

@Entity('supervision_visit')
export class SupervisionVisitEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'measure_id' }) measureId: string;
  @PrimaryColumn('date', { name: 'visit_date' }) visitDate: string;
  @Column('boolean', { name: 'talked_alone', nullable: true }) talkedAlone: boolean | null;
}

@Entity('child_conversation')
export class ChildConversationEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'case_id' }) caseId: string;
  @PrimaryColumn('date', { name: 'conversation_date' }) conversationDate: string;
  @PrimaryColumn('text') occasion: string;
}

@Entity('effect_measurement')
export class EffectMeasurementEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'case_id' }) caseId: string;
  @PrimaryColumn('date', { name: 'measured_on' }) measuredOn: string;
  @PrimaryColumn('smallint') seq: number;
  @Column('smallint') development: number;
  @Column('smallint', { name: 'family_relations' }) familyRelations: number;
  @Column('smallint') school: number;
  @Column('smallint') health: number;
  @Column('smallint') leisure: number;
}

@Entity('complaint')
export class ComplaintEntity extends SourceFact {
  @PrimaryColumn('text', { name: 'complaint_id' }) complaintId: string;
  @Column('text', { name: 'case_id' }) caseId: string;
  @Column('date', { nullable: true }) received: string | null;
  @Column('date', { nullable: true }) decided: string | null;
  @Column('text', { nullable: true }) outcome: string | null;
}
