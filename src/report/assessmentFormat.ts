import Table from 'cli-table3';
import { DateTime } from 'luxon';
import type { AssessmentRules } from '../shared/types';
import { shanghaiStamp, ZONE } from '../shared/zone';
import { type Deduction, type DeductionKind, KIND_NAMES, RANKED_KINDS, type RankedKind, type UnitScore } from './assessment';
import type { AssessmentReport } from './assessmentReport';
import { toCsv } from './format';

/** The words of the 考核, the same in the CLI, the CSV, the 通报 and the page. */

export const SOURCE_NAMES = { listing: '任务列表(可见性查询)', history: '逐项任务历史与操作记录' } as const;

export const DEDUCTION_NAMES: Record<DeductionKind, string> = { late: '逾期办结', escalationLevel: '督办升级', returned: '办结被退回', notCompleted: '逾期未完成' };

/** A score or a point: `97`, `96.5`. */
export const pointsText = (n: number): string => String(Math.round(n * 100) / 100);

export const rateText = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

export function rulesText(r: AssessmentRules): string {
  const d = r.deductions;
  return `基础分 ${pointsText(r.start)};逾期办结每项 −${pointsText(d.late)},每达到一级督办再 −${pointsText(d.escalationLevel)};办结被退回每次 −${pointsText(d.returned)};逾期未完成每项 −${pointsText(d.notCompleted)};免除的任务不计分`;
}

export const asOfText = (report: AssessmentReport): string => DateTime.fromISO(report.asOf, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');

export const titleText = (report: AssessmentReport): string => `${report.scope.unitName} ${report.year} 年度职责落实考核`;

/** What cost the points, e.g. `二级督办`, and what the task itself recorded for it. */
export function deductionItem(d: Deduction): string {
  return d.kind === 'escalationLevel' ? `${d.level ?? ''}级督办` : DEDUCTION_NAMES[d.kind];
}

/** The event that cost the points, in words: when, and where in the task's 经过 (history source). */
export function eventText(d: Deduction): string {
  const e = d.event;
  const when = e?.at ? shanghaiStamp(e.at) : '';
  const where = e?.index !== undefined ? `经过第 ${e.index + 1} 条` : '';
  const audit = e?.audit ? `操作记录 ${shanghaiStamp(e.audit.at)} ${e.audit.actor}` : '';
  const what = d.kind === 'late' ? `${when} 办结(截止 ${d.dueOn})` : d.kind === 'notCompleted' ? `截止 ${d.dueOn} 后未完成` : when;
  return [what.trim(), where, audit].filter(Boolean).join(' · ');
}

/** Counted tasks: on time, late and never completed. */
export const countedOf = (u: UnitScore): number => u.counts.onTime + u.counts.late + u.counts.notCompleted;

export const RANKING_HEADER = ['排名', '单位', '乡镇/街道', '得分', '按时完成率', '计分任务', '按时完成', '逾期办结', '逾期未完成', '督办级次', '退回次数', '免除', '待审核'];

export function rankingCells(u: UnitScore): (string | number)[] {
  return [u.rank, u.unitName, u.kind === 'department' ? '—' : u.townshipName, u.score, rateText(u.onTimeRate), countedOf(u), u.counts.onTime, u.counts.late, u.counts.notCompleted, u.levels, u.returns, u.counts.waived, u.counts.review];
}

export const DEDUCTION_HEADER = ['单位', '职责', '周期', '截止日期', '扣分事项', '扣分', '扣分依据', '任务编号'];

export function deductionCells(u: UnitScore, d: Deduction): (string | number)[] {
  return [u.unitName, d.dutyTitle, d.period, d.dueOn, deductionItem(d), -d.points, eventText(d), d.taskId];
}

/** Ranks are places among the units of each kind where they were ranked, e.g. `全市村/社区`. */
export const rankText = (report: AssessmentReport): string => `排名为${report.rankedAmong.unitName}同类单位(乡镇/街道、村/社区、行业部门各自)之间的名次,同分同名次`;

export function headLines(report: AssessmentReport): string[] {
  return [
    `${titleText(report)} · 截至 ${asOfText(report)} · 计分任务来源: ${SOURCE_NAMES[report.source]}(${report.tasks} 项)`,
    `计分规则: ${rulesText(report.rules)};${rankText(report)}`,
    ...(report.unreadable.length ? [`无法读取记录、未计分的任务 ${report.unreadable.length} 项: ${report.unreadable.join(', ')}`] : []),
  ];
}

/** `村/社区(11 个)`, or when a unit narrows what is shown, `村/社区(显示 1 个,共 11 个参与排名)`. */
export function kindHeading(report: AssessmentReport, kind: RankedKind): string {
  const shown = report.units.filter((u) => u.kind === kind).length;
  const ranked = report.rankedAmong.counts[kind];
  return `${KIND_NAMES[kind]}(${shown === ranked ? `${shown} 个` : `显示 ${shown} 个,共 ${ranked} 个参与排名`})`;
}

export type AssessmentFormat = 'table' | 'json' | 'csv';
export const ASSESSMENT_FORMATS: AssessmentFormat[] = ['table', 'json', 'csv'];

function table(report: AssessmentReport, detail: boolean): string {
  const out = headLines(report);
  for (const kind of RANKED_KINDS) {
    const units = report.units.filter((u) => u.kind === kind);
    if (units.length === 0) continue;
    const t = new Table({ head: RANKING_HEADER, style: { head: [], border: [] } });
    for (const u of units) t.push(rankingCells(u).map(String));
    out.push(kindHeading(report, kind), t.toString());
  }
  if (detail) {
    const rows = report.units.flatMap((u) => u.deductions.map((d) => deductionCells(u, d).map(String)));
    const t = new Table({ head: DEDUCTION_HEADER, style: { head: [], border: [] } });
    rows.forEach((r) => t.push(r));
    out.push(`扣分明细(${rows.length} 项)`, rows.length ? t.toString() : '没有扣分。');
  }
  return out.join('\n');
}

/** The ranking, one row a unit; with `detail`, one row per point lost instead. */
function csv(report: AssessmentReport, detail: boolean): string {
  if (detail) return toCsv([DEDUCTION_HEADER, ...report.units.flatMap((u) => u.deductions.map((d) => deductionCells(u, d)))]);
  return toCsv([['类别', ...RANKING_HEADER, '单位编号'], ...report.units.map((u) => [KIND_NAMES[u.kind], ...rankingCells(u), u.unitId])]);
}

export function formatAssessment(report: AssessmentReport, format: AssessmentFormat, detail = false): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'csv':
      return csv(report, detail);
    case 'table':
      return table(report, detail);
  }
}
