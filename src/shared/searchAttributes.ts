import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The project's custom search attributes. Every report is a visibility query over these,
 * so the same filter can be typed into `temporal workflow list --query`.
 * Values are plain text on the server: ids only, never names or ID-card numbers.
 */
export const SA = {
  dutyId: defineSearchAttributeKey('DutyId', SearchAttributeType.KEYWORD),
  period: defineSearchAttributeKey('DutyPeriod', SearchAttributeType.KEYWORD),
  assignee: defineSearchAttributeKey('DutyAssignee', SearchAttributeType.KEYWORD),
  unit: defineSearchAttributeKey('DutyUnit', SearchAttributeType.KEYWORD),
  township: defineSearchAttributeKey('DutyTownship', SearchAttributeType.KEYWORD),
  unitPath: defineSearchAttributeKey('DutyUnitPath', SearchAttributeType.KEYWORD_LIST),
  status: defineSearchAttributeKey('DutyStatus', SearchAttributeType.KEYWORD),
  dueAt: defineSearchAttributeKey('DutyDueAt', SearchAttributeType.DATETIME),
  escalationLevel: defineSearchAttributeKey('DutyEscalationLevel', SearchAttributeType.INT),
  provisional: defineSearchAttributeKey('DutyProvisional', SearchAttributeType.BOOL),
  flags: defineSearchAttributeKey('DutyFlags', SearchAttributeType.KEYWORD_LIST),
} as const;

/** Name → type, as `temporal server start-dev --search-attribute Name=Type` and the operator service want them. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'KeywordList' | 'Datetime' | 'Int' | 'Bool'> = {
  DutyId: 'Keyword',
  DutyPeriod: 'Keyword',
  DutyAssignee: 'Keyword',
  DutyUnit: 'Keyword',
  DutyTownship: 'Keyword',
  DutyUnitPath: 'KeywordList',
  DutyStatus: 'Keyword',
  DutyDueAt: 'Datetime',
  DutyEscalationLevel: 'Int',
  DutyProvisional: 'Bool',
  DutyFlags: 'KeywordList',
};

/** `review`: completed and waiting for a supervisor's review (待审核); neither open work nor closed. */
export type TaskStatus = 'open' | 'overdue' | 'review' | 'done' | 'waived';

/**
 * Where an open task stands in the 督办 steps, beside its status: `unacknowledged` until someone signs for it,
 * `progress` once a progress report came in, `extensionRequested` while a request waits, `extended` once one was
 * granted, `returned` once a reviewer sent a completion back, `suspended` while an emergency covers its unit.
 */
export type TaskFlag = 'unacknowledged' | 'progress' | 'extensionRequested' | 'extended' | 'returned' | 'suspended';
