import type { HouseholdRecord } from '../shared/household';

export type ColumnKey = keyof HouseholdRecord;

export interface Column {
  key: ColumnKey;
  /** The header the README documents; `key` itself is the English header. */
  zh: string;
  /** Other headers county exports use for the same column. */
  aliases: string[];
  required: boolean;
  /** Holds personal data: refused values are masked in every report. */
  personal?: 'name' | 'id';
}

export const COLUMNS: Column[] = [
  { key: 'householdId', zh: '户编号', aliases: ['户号', '农户编号', '户码'], required: true },
  { key: 'headName', zh: '户主姓名', aliases: ['户主', '姓名'], required: true, personal: 'name' },
  { key: 'idNumber', zh: '身份证号', aliases: ['身份证号码', '户主身份证号', '证件号码'], required: true, personal: 'id' },
  { key: 'villageId', zh: '所在村', aliases: ['村', '行政村', '村编号', '所在村编号'], required: true },
  { key: 'monitoringType', zh: '监测类型', aliases: ['监测对象类型', '户类型'], required: true },
  { key: 'riskTypes', zh: '风险类型', aliases: ['主要风险', '致贫返贫风险', '风险类别'], required: true },
  { key: 'identifiedOn', zh: '识别日期', aliases: ['识别时间', '纳入监测日期', '认定日期'], required: true },
  { key: 'riskClearedOn', zh: '风险消除日期', aliases: ['风险消除时间', '消除日期'], required: false },
];

/** Headers compare without spaces, full-width parentheses or case, and without a trailing hint such as "(YYYY-MM-DD)". */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .replace(/[（(][^）)]*[）)]\s*$/, '')
    .replace(/[\s_*]/g, '')
    .toLowerCase();
}

const BY_HEADER = new Map<string, Column>(
  COLUMNS.flatMap((c) => [c.key, c.zh, ...c.aliases].map((h): [string, Column] => [normalizeHeader(h), c])),
);

export function columnFor(header: string): Column | undefined {
  return BY_HEADER.get(normalizeHeader(header));
}

/** Accepted values: the Chinese names, or these English ids. */
export const MONITORING_TYPE_IDS: Record<string, HouseholdRecord['monitoringType']> = {
  'unstable-lifted': '脱贫不稳定户',
  marginal: '边缘易致贫户',
  'sudden-hardship': '突发严重困难户',
};

/** The risk categories of the national monitoring system, with English ids. */
export const RISK_TYPES: Record<string, string> = {
  因病: 'illness',
  因学: 'education',
  因残: 'disability',
  因灾: 'disaster',
  因意外事故: 'accident',
  因产业项目失败: 'industry-failure',
  因务工就业不稳: 'unstable-employment',
  缺劳动力: 'labour-shortage',
  住房安全: 'housing',
  饮水安全: 'drinking-water',
  因疫: 'epidemic',
  其他: 'other',
};
