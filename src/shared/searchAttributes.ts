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
};

export type TaskStatus = 'open' | 'overdue' | 'done' | 'waived';
