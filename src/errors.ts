/** Named errors that carry what a user needs to fix the input. Messages are Chinese; fields stay machine-readable. */

export interface InputIssue {
  file?: string;
  line?: number;
  column?: number;
  /** Field path such as `duties[2].deadline.day` or a CSV column name. */
  path: string;
  /** The refused value, already masked where it could hold personal data. */
  value?: unknown;
  message: string;
}

export function formatIssue(issue: InputIssue): string {
  const where = [issue.file, issue.line !== undefined ? `第 ${issue.line} 行` : undefined].filter(Boolean).join(' ');
  const value = issue.value === undefined ? '' : `(值: ${JSON.stringify(issue.value)})`;
  return `${where ? `${where} ` : ''}${issue.path}: ${issue.message}${value}`;
}

export class DutyError extends Error {
  override name = 'DutyError';
}

/** Several problems found in one input, all reported at once. */
export class ValidationError extends DutyError {
  override name = 'ValidationError';
  constructor(
    readonly subject: string,
    readonly issues: InputIssue[],
  ) {
    super(`${subject}校验失败,共 ${issues.length} 处错误:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
}

export class CatalogError extends ValidationError {
  override name = 'CatalogError';
  constructor(issues: InputIssue[]) {
    super('职责目录', issues);
  }
}

export class RosterError extends ValidationError {
  override name = 'RosterError';
  constructor(issues: InputIssue[]) {
    super('组织名册', issues);
  }
}

export class NotFoundError extends DutyError {
  override name = 'NotFoundError';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`找不到${kind}: ${id}`);
  }
}

/** A calendar question the holiday data cannot answer without guessing. */
export class CalendarError extends DutyError {
  override name = 'CalendarError';
}

export class UsageError extends DutyError {
  override name = 'UsageError';
}

export class TemporalUnreachableError extends DutyError {
  override name = 'TemporalUnreachableError';
}

/** The engine's own PostgreSQL (DUTY_DATABASE_URL) does not answer or refuses the sign-in. */
export class DatabaseUnreachableError extends DutyError {
  override name = 'DatabaseUnreachableError';
}
