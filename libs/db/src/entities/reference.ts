import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('municipality')
export class MunicipalityEntity {
  @PrimaryColumn('smallint') code: number;
  @Column('text') name: string;
}

/** Public statistics; municipality_code 0 = Hele landet, value null = not available ('..'). */
@Entity('population')
export class PopulationEntity {
  @PrimaryColumn('smallint', { name: 'municipality_code' }) municipalityCode: number;
  @PrimaryColumn('smallint') year: number;
  @PrimaryColumn('text', { name: 'age_group' }) ageGroup: string;
  @Column('integer', { nullable: true }) count: number | null;
}

@Entity('municipal_statistic')
export class MunicipalStatisticEntity {
  @PrimaryColumn('smallint', { name: 'municipality_code' }) municipalityCode: number;
  @PrimaryColumn('text') indicator: string;
  @PrimaryColumn('smallint') year: number;
  @Column('numeric', { nullable: true }) value: string | null;
}

@Entity('budget_line')
export class BudgetLineEntity {
  @PrimaryColumn('smallint', { name: 'municipality_code' }) municipalityCode: number;
  @PrimaryColumn('smallint') year: number;
  @PrimaryColumn('smallint') month: number;
  @PrimaryColumn('text', { name: 'function_code' }) functionCode: string;
  @Column('text', { name: 'function_name', nullable: true }) functionName: string | null;
  @Column('numeric', { name: 'original_budget', nullable: true }) originalBudget: string | null;
  @Column('numeric', { name: 'corrected_budget', nullable: true }) correctedBudget: string | null;
  @Column('numeric', { nullable: true }) spend: string | null;
}
