// The rule catalogue lives in @bu/domain (the API lists it without depending on the ETL).
export { listRules, RULES, type Rule, type RuleEntry, type RuleKey, type RuleWhen, type Severity } from '@bu/domain';
