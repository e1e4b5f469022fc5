import { maskCprInText } from './pseudonym';
import { RULES, RuleKey } from './rules';

export interface ImportIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  rule: string;
  value: string | null;
  message: string;
}

/** Collects rejected rows and warnings; values are CPR-masked before they are kept anywhere. */
export class IssueLog {
  readonly issues: ImportIssue[] = [];
  /** Rows rejected so far (progress reports read it every 50,000 rows: no pass over the issues). */
  rejectedCount = 0;

  add(rule: RuleKey, file: string, line: number | null, value: string | null, message: string): void {
    const def = RULES[rule];
    if (def.severity !== 'warning') this.rejectedCount++;
    this.issues.push({
      severity: def.severity === 'warning' ? 'warning' : 'error',
      file,
      line,
      rule: def.id,
      value: value === null ? null : maskCprInText(value),
      message: maskCprInText(message),
    });
  }

  get rejected(): ImportIssue[] {
    return this.issues.filter((i) => i.severity === 'error');
  }

  get warnings(): ImportIssue[] {
    return this.issues.filter((i) => i.severity === 'warning');
  }
}

/** The import fails as a whole (not the declared format, no municipality ...): nothing is written. */
export class ImportFailure extends Error {
  constructor(
    readonly rule: RuleKey,
    readonly file: string | null,
    message: string,
  ) {
    super(message);
  }
}
