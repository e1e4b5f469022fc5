// The schema's migrations, in order. No TypeORM at run time here (only its types): a CLI can tell
// whether the schema is current without loading it (schema-version.ts).
import { CanonicalModel1732000000000 } from './1732000000000-CanonicalModel';
import { DropFolders1732100000000 } from './1732100000000-DropFolders';
import { GoalsAndComments1732200000000 } from './1732200000000-GoalsAndComments';
import { ComparisonGroups1732300000000 } from './1732300000000-ComparisonGroups';
import { DataVersion1732400000000 } from './1732400000000-DataVersion';
import { CaseIndexes1732500000000 } from './1732500000000-CaseIndexes';
import { AuditCaseSets1732600000000 } from './1732600000000-AuditCaseSets';
import { FactTablesWithoutMunicipalityFk1732750000000 } from './1732750000000-FactTablesWithoutMunicipalityFk';
import { DataVersionNotify1732800000000 } from './1732800000000-DataVersionNotify';
import { CaseFactsPartitionedByMunicipality1732900000000 } from './1732900000000-CaseFactsPartitionedByMunicipality';
import { KeysInByteOrder1732950000000 } from './1732950000000-KeysInByteOrder';
import { ImportIssueOrder1732960000000 } from './1732960000000-ImportIssueOrder';
import { ScopeColumnsLastInKeys1733000000000 } from './1733000000000-ScopeColumnsLastInKeys';
import { TokenVersionAndLoginAttempts1733100000000 } from './1733100000000-TokenVersionAndLoginAttempts';
import { ApiRoleRowSecurity1733200000000 } from './1733200000000-ApiRoleRowSecurity';
import { AuditChain1733300000000 } from './1733300000000-AuditChain';
import { PseudonymKeyId1733600000000 } from './1733600000000-PseudonymKeyId';
import { ApiGrantsForSessions1733700000000 } from './1733700000000-ApiGrantsForSessions';
import { LoginAttemptRefused1733710000000 } from './1733710000000-LoginAttemptRefused';
import { AuditTimeFromServer1733720000000 } from './1733720000000-AuditTimeFromServer';
import { SingleSignOn1733800000000 } from './1733800000000-SingleSignOn';
import { CommitteeReports1733820000000 } from './1733820000000-CommitteeReports';
import { AdminDropFolderRead1733810000000 } from './1733810000000-AdminDropFolderRead';
import { OidcSession1733830000000 } from './1733830000000-OidcSession';
import { CaseReview1733850000000 } from './1733850000000-CaseReview';
import { ReviewMeetingsAndActions1733851000000 } from './1733851000000-ReviewMeetingsAndActions';
import { ReviewChecklistVersions1733852000000 } from './1733852000000-ReviewChecklistVersions';
import { DataVersionPerMunicipality1733900000000 } from './1733900000000-DataVersionPerMunicipality';
import { DataVersionFunctionsLocked1733901000000 } from './1733901000000-DataVersionFunctionsLocked';
import { ReviewCommitteeExamples1733853000000 } from './1733853000000-ReviewCommitteeExamples';
import { ReadModels1733915000000 } from './1733915000000-ReadModels';
import { EffectReadModel1733916000000 } from './1733916000000-EffectReadModel';
import { EffectSpanReadModel1733917000000 } from './1733917000000-EffectSpanReadModel';
import { ActivityCountReadModels1733918300000 } from './1733918300000-ActivityCountReadModels';
import { CaseloadReadModel1733919000000 } from './1733919000000-CaseloadReadModel';
import { StartedMeasureAndUnassignedCaseReadModels1733920000000 } from './1733920000000-StartedMeasureAndUnassignedCaseReadModels';
import { EffectChangeReadModel1733920100000 } from './1733920100000-EffectChangeReadModel';
import { NotificationReadModels1733920200000 } from './1733920200000-NotificationReadModels';
import { MeasureDeadlineReadModel1733920300000 } from './1733920300000-MeasureDeadlineReadModel';
import { ReadModelBuild1733920400000 } from './1733920400000-ReadModelBuild';
import { ActiveMeasureReadModels1733920500000 } from './1733920500000-ActiveMeasureReadModels';
import { TwoVisitsReadModel1733920600000 } from './1733920600000-TwoVisitsReadModel';
import { MunicipalityCvr1733920700000 } from './1733920700000-MunicipalityCvr';
import { ReportSends1733920800000 } from './1733920800000-ReportSends';
import { SecondFactor1733920900000 } from './1733920900000-SecondFactor';
import { TemporaryPassword1733921000000 } from './1733921000000-TemporaryPassword';
import { PasswordLoginTime1733921100000 } from './1733921100000-PasswordLoginTime';
import { SsoTicketUserVersion1733921200000 } from './1733921200000-SsoTicketUserVersion';
import { SsoRequestCreatedIndex1733921300000 } from './1733921300000-SsoRequestCreatedIndex';
import { SsoGrantEnded1733921400000 } from './1733921400000-SsoGrantEnded';
import { ImportReuse1733910000000 } from './1733910000000-ImportReuse';

export const MIGRATIONS = [
  CanonicalModel1732000000000,
  DropFolders1732100000000,
  GoalsAndComments1732200000000,
  ComparisonGroups1732300000000,
  DataVersion1732400000000,
  CaseIndexes1732500000000,
  AuditCaseSets1732600000000,
  FactTablesWithoutMunicipalityFk1732750000000,
  DataVersionNotify1732800000000,
  CaseFactsPartitionedByMunicipality1732900000000,
  KeysInByteOrder1732950000000,
  ImportIssueOrder1732960000000,
  ScopeColumnsLastInKeys1733000000000,
  TokenVersionAndLoginAttempts1733100000000,
  ApiRoleRowSecurity1733200000000,
  AuditChain1733300000000,
  PseudonymKeyId1733600000000,
  ApiGrantsForSessions1733700000000,
  LoginAttemptRefused1733710000000,
  AuditTimeFromServer1733720000000,
  SingleSignOn1733800000000,
  AdminDropFolderRead1733810000000,
  CommitteeReports1733820000000,
  OidcSession1733830000000,
  CaseReview1733850000000,
  ReviewMeetingsAndActions1733851000000,
  ReviewChecklistVersions1733852000000,
  ReviewCommitteeExamples1733853000000,
  DataVersionPerMunicipality1733900000000,
  DataVersionFunctionsLocked1733901000000,
  ImportReuse1733910000000,
  ReadModels1733915000000,
  EffectReadModel1733916000000,
  EffectSpanReadModel1733917000000,
  ActivityCountReadModels1733918300000,
  CaseloadReadModel1733919000000,
  StartedMeasureAndUnassignedCaseReadModels1733920000000,
  EffectChangeReadModel1733920100000,
  NotificationReadModels1733920200000,
  MeasureDeadlineReadModel1733920300000,
  ReadModelBuild1733920400000,
  ActiveMeasureReadModels1733920500000,
  TwoVisitsReadModel1733920600000,
  MunicipalityCvr1733920700000,
  ReportSends1733920800000,
  SecondFactor1733920900000,
  TemporaryPassword1733921000000,
  PasswordLoginTime1733921100000,
  SsoTicketUserVersion1733921200000,
  SsoRequestCreatedIndex1733921300000,
  SsoGrantEnded1733921400000,
];
