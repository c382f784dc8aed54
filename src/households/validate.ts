import { DateTime } from 'luxon';
import type { InputIssue } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { HOUSEHOLD_ID, MONITORING_TYPES, type HouseholdRecord, type MonitoringType } from '../shared/household';
import type { LocalDate } from '../shared/types';
import { COLUMNS, MONITORING_TYPE_IDS, RISK_TYPES, type Column, type ColumnKey } from './columns';
import { idNumberProblem, maskIdNumber, maskName } from '../validation/idCard';
import type { RawCell, RawTable } from './readFile';
import { ZONE } from '../shared/zone';

export interface Validated {
  records: { row: number; record: HouseholdRecord }[];
  issues: InputIssue[];
}

const EARLIEST = '2000-01-01';

/** The value as it may appear in a report: names and ID numbers masked, everything else as written. */
export function shown(column: Column, text: string): string {
  if (column.personal === 'id') return maskIdNumber(text);
  if (column.personal === 'name') return maskName(text);
  return text;
}

/**
 * Every row, every column: all problems are collected so one run of the import names them all.
 * `today` is the Shanghai date the import runs on; nothing may be identified, cleared or born after it.
 */
export function validateRows(table: RawTable, tree: OrgTree, today: LocalDate): Validated {
  const issues: InputIssue[] = [];
  const records: Validated['records'] = [];
  const seenIds = new Map<string, number>();
  const seenPeople = new Map<string, { row: number; householdId: string }>();
  const villages = villageIndex(tree);

  for (const { row, cells } of table.rows) {
    const problems: InputIssue[] = [];
    const refuse = (key: ColumnKey, text: string, message: string) => {
      const column = COLUMNS.find((c) => c.key === key) as Column;
      problems.push({ file: table.file, line: row, path: table.headers[key] ?? column.zh, value: shown(column, text), message });
    };
    const text = (key: ColumnKey): string => (cells[key]?.text ?? '').trim();
    const required = (key: ColumnKey): string | undefined => {
      const v = text(key);
      if (!v) refuse(key, v, '不能为空');
      return v || undefined;
    };

    const householdId = required('householdId');
    if (householdId && !HOUSEHOLD_ID.test(householdId)) refuse('householdId', householdId, '只能含字母、数字、. _ -,以字母或数字开头,最长 40 位');
    const firstRow = householdId ? seenIds.get(householdId) : undefined;
    if (householdId && firstRow !== undefined) refuse('householdId', householdId, `与第 ${firstRow} 行重复`);
    if (householdId && firstRow === undefined) seenIds.set(householdId, row);

    const headName = required('headName');
    if (headName && ([...headName].length > 30 || /[\d@#$%^&*<>{}[\]]/.test(headName))) refuse('headName', headName, '不像姓名: 不能含数字或符号,最长 30 字');

    const idNumber = idOf(cells.idNumber, (msg) => refuse('idNumber', text('idNumber'), msg), today);
    if (idNumber) {
      const first = seenPeople.get(idNumber);
      if (first && first.householdId !== householdId) refuse('idNumber', idNumber, `与第 ${first.row} 行(户 ${first.householdId})为同一人`);
      else if (!first) seenPeople.set(idNumber, { row, householdId: householdId ?? '' });
    }

    const villageText = required('villageId');
    const villageId = villageText ? villages(villageText) : undefined;
    if (villageText && typeof villageId !== 'string') refuse('villageId', villageText, villageId?.problem ?? '名册中没有该村');

    const typeText = required('monitoringType');
    const monitoringType = typeText ? monitoringTypeOf(typeText) : undefined;
    if (typeText && !monitoringType) refuse('monitoringType', typeText, `应为 ${MONITORING_TYPES.join(' / ')} 之一`);

    const riskText = required('riskTypes');
    const riskTypes = riskText ? riskTypesOf(riskText) : undefined;
    if (riskText && typeof riskTypes === 'string') refuse('riskTypes', riskText, riskTypes);

    const identifiedOn = dateOf(text('identifiedOn'), true, (msg) => refuse('identifiedOn', text('identifiedOn'), msg), today);
    const riskClearedOn = dateOf(text('riskClearedOn'), false, (msg) => refuse('riskClearedOn', text('riskClearedOn'), msg), today);
    if (identifiedOn && riskClearedOn && riskClearedOn < identifiedOn) refuse('riskClearedOn', text('riskClearedOn'), `早于识别日期 ${identifiedOn}`);

    if (problems.length > 0) {
      issues.push(...problems);
      continue;
    }
    records.push({
      row,
      record: {
        householdId: householdId as string,
        headName: headName as string,
        idNumber: idNumber as string,
        villageId: villageId as string,
        monitoringType: monitoringType as MonitoringType,
        riskTypes: riskTypes as string[],
        identifiedOn: identifiedOn as string,
        ...(riskClearedOn ? { riskClearedOn } : {}),
      },
    });
  }
  return { records, issues };
}

function idOf(cell: RawCell | undefined, refuse: (message: string) => void, today: LocalDate): string | undefined {
  const value = (cell?.text ?? '').trim().toUpperCase();
  if (!value) return void refuse('不能为空');
  if (cell?.excelNumber) return void refuse('Excel 把身份证号存成了数字,末几位已丢失;请把该列设为"文本"后重新填写');
  const problem = idNumberProblem(value, today);
  if (problem) return void refuse(problem);
  return value;
}

/** A village by its roster id or, since county exports carry names, by its unique name. */
function villageIndex(tree: OrgTree): (text: string) => string | { problem: string } {
  const byName = new Map<string, string[]>();
  for (const u of tree.roster.units.filter((x) => x.kind === 'village')) byName.set(u.name, [...(byName.get(u.name) ?? []), u.id]);
  return (text) => {
    if (tree.hasUnit(text)) return tree.unit(text).kind === 'village' ? text : { problem: `单位 ${text} 不是村/社区` };
    const ids = byName.get(text) ?? [];
    if (ids.length === 1 && ids[0]) return ids[0];
    return { problem: ids.length > 1 ? `名册中有多个村叫"${text}",请填村编号(${ids.join(' / ')})` : '名册中没有该村(填村编号或村名)' };
  };
}

function monitoringTypeOf(text: string): MonitoringType | undefined {
  return (MONITORING_TYPES as readonly string[]).includes(text) ? (text as MonitoringType) : MONITORING_TYPE_IDS[text.toLowerCase()];
}

/** 因病、因学 / illness, education — the Chinese names are kept. */
function riskTypesOf(text: string): string[] | string {
  const english = new Map(Object.entries(RISK_TYPES).map(([zh, en]) => [en, zh]));
  const parts = text.split(/[、,，;；/|\s]+/).filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    const zh = p in RISK_TYPES ? p : english.get(p.toLowerCase());
    if (!zh) return `未知风险类型"${p}",可填: ${Object.keys(RISK_TYPES).join('、')}`;
    if (!out.includes(zh)) out.push(zh);
  }
  return out;
}

const DATE_FORMATS = ['yyyy-M-d', 'yyyy/M/d', 'yyyy.M.d', 'yyyyMMdd', "yyyy'年'M'月'd'日'"];

function dateOf(text: string, required: boolean, refuse: (message: string) => void, today: LocalDate): LocalDate | undefined {
  if (!text) {
    if (required) refuse('不能为空');
    return undefined;
  }
  const parsed = DATE_FORMATS.map((f) => DateTime.fromFormat(text, f, { zone: ZONE })).find((d) => d.isValid);
  const date = parsed?.toISODate();
  if (!date) return void refuse('不是有效日期(如 2026-03-15)');
  if (date > today) return void refuse(`晚于今天 ${today}`);
  if (date < EARLIEST) return void refuse(`早于 ${EARLIEST}`);
  return date;
}
