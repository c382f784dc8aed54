import Table from 'cli-table3';
import type { CycleRollup, CycleUnitRow, Tally } from './cycle';
import { toCsv, type ReportFormat } from './format';
import type { TargetReport, TargetShare } from './target';
import { STATUS_NAMES } from '../shared/taskStates';
const plain = { style: { head: [], border: [] } };

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function tallyCells(t: Tally, r: CycleRollup): string[] {
  return [`${t.done}/${t.units}`, String(t.overdue), ...r.fields.map((f) => num(t.sums[f.key] ?? 0))];
}

function cycleTable(r: CycleRollup): string {
  const title = `${r.dutyTitle}${r.phase ? `·${r.phase.title}` : ''}(${r.period})· ${r.scope.unitName} · 已报送 ${r.county.done}/${r.county.units}`;
  if (r.county.units === 0) return `${title}\n该周期还没有任务。`;
  const heads = r.fields.map((f) => `${f.label}${f.unit ? `(${f.unit})` : ''}`);
  const summary = new Table({ head: ['乡镇/街道', '已报送/应报送', '逾期未报', ...heads], ...plain });
  for (const g of r.townships) summary.push([g.townshipName, ...tallyCells(g.tally, r)]);
  summary.push(['全市合计', ...tallyCells(r.county, r)]);
  const detail = new Table({ head: ['乡镇/街道', '单位', '状态', ...heads], ...plain });
  for (const g of r.townships) {
    for (const u of g.units) detail.push([g.townshipName, u.unitName, STATUS_NAMES[u.status], ...r.fields.map((f) => (u.status === 'done' ? String(u.figures[f.key] ?? '') : '-'))]);
  }
  return [title, summary.toString(), detail.toString()].join('\n');
}

/** A reported figure as it was given: a number stays a number (a negative one is not text to neutralise). */
function figureCell(u: CycleUnitRow, key: string): string | number {
  const value = u.status === 'done' ? u.figures[key] : undefined;
  return typeof value === 'number' ? value : String(value ?? '');
}

function cycleCsv(r: CycleRollup): string {
  const head = ['层级', '乡镇/街道', '单位', '状态', ...r.fields.map((f) => f.label)];
  const rows: (string | number)[][] = [];
  for (const g of r.townships) {
    for (const u of g.units) rows.push(['村', g.townshipName, u.unitName, STATUS_NAMES[u.status], ...r.fields.map((f) => figureCell(u, f.key))]);
    rows.push(['乡镇合计', g.townshipName, '', `${g.tally.done}/${g.tally.units}`, ...r.fields.map((f) => g.tally.sums[f.key] ?? 0)]);
  }
  rows.push(['全市合计', '', '', `${r.county.done}/${r.county.units}`, ...r.fields.map((f) => r.county.sums[f.key] ?? 0)]);
  return toCsv([head, ...rows]);
}

export function formatCycle(r: CycleRollup, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(r, null, 2);
  return format === 'csv' ? cycleCsv(r) : cycleTable(r);
}

const pct = (s: TargetShare) => `${(s.share * 100).toFixed(1)}%`;
const verdict = (s: TargetShare, goal: number) => `${s.reached}/${s.total} = ${pct(s)} ${s.met ? '达标' : `未达 ${(goal * 100).toFixed(0)}%`}`;

function targetTable(r: TargetReport): string {
  const lines = [`${r.dutyTitle} · ${r.year} 年 · 数据截至 ${r.checkpoint ?? '(尚无报送)'}`];
  for (const t of r.targets) {
    lines.push(`${t.label}: 经营性收入 ≥ ${t.atLeast.toLocaleString('zh-CN')} 元的比例,目标 ${(t.goal * 100).toFixed(0)}% —— 全市 ${verdict(t.county, t.goal)}`);
    const table = new Table({ head: ['乡镇/街道', '达标村/总数', '比例', '是否达标', '村(最近报送)'], ...plain });
    for (const g of t.townships) {
      const villages = t.villages
        .filter((v) => v.townshipId === g.townshipId)
        .map((v) => `${v.unitName} ${v.value === undefined ? '未报送' : `${v.value.toLocaleString('zh-CN')}(${v.period})${v.reached ? '✓' : ''}`}`)
        .join('\n');
      table.push([g.townshipName, `${g.share.reached}/${g.share.total}`, pct(g.share), g.share.met ? '达标' : '未达标', villages]);
    }
    lines.push(table.toString());
  }
  return lines.join('\n');
}

function targetCsv(r: TargetReport): string {
  const rows: (string | number)[][] = [];
  for (const t of r.targets) {
    for (const g of t.townships) rows.push([t.label, g.townshipName, g.share.reached, g.share.total, pct(g.share), g.share.met ? '达标' : '未达标']);
    rows.push([t.label, '全市', t.county.reached, t.county.total, pct(t.county), t.county.met ? '达标' : '未达标']);
  }
  return toCsv([['类别', '乡镇/街道', '达标村数', '村数', '比例', '是否达标'], ...rows]);
}

export function formatTarget(r: TargetReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(r, null, 2);
  return format === 'csv' ? targetCsv(r) : targetTable(r);
}
