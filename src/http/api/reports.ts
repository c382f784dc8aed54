import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuditEntry } from '../../audit/log';
import type { Principal } from '../../auth/principal';
import { formatAssessment } from '../../report/assessmentFormat';
import type { AssessmentReport } from '../../report/assessmentReport';
import { overdueCsv } from '../../report/format';
import type { OverdueExport } from '../../report/overdueExport';
import { writeOverdueXlsx } from '../../report/xlsx';
import { auditEntries } from '../../services/audit';
import type { ServiceContext } from '../../services/context';
import { ASSESSMENT_HISTORY_MAX, assessmentFor } from '../../services/assessment';
import { overdueExportFor, overdueFor, REPORT_JSON_MAX_ROWS, REPORT_MAX_ROWS } from '../../services/reports';
import { shanghaiDate } from '../../shared/zone';
import type { HttpDeps } from '../types';
import { assessmentXlsxOffThread } from '../xlsxThread';
import { AssessmentQuery, AssessmentReportSchema, AUDIT_PAGE_MAX, AuditEntrySchema, AuditQuery, DashboardQuery, OverdueQuery, OverdueReportSchema } from './schemas';

/**
 * Sends the overdue report as a download written while it is listed: headers and the first bytes once the counts
 * are in, then a unit's rows at a time. The Chinese file name goes in filename* (RFC 6266), an ASCII one beside it.
 */
function sendOverdueDownload(reply: FastifyReply, exp: OverdueExport, format: 'csv' | 'xlsx'): FastifyReply {
  const { summary } = exp;
  const day = summary.asOf.slice(0, 10);
  const zh = encodeURIComponent(`逾期任务报告-${summary.scope.unitName}-${day}.${format}`);
  reply.header('content-disposition', `attachment; filename="overdue-${day}.${format}"; filename*=UTF-8''${zh}`);
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(Readable.from(overdueCsv(exp)));
  const out = new PassThrough();
  // A failure halfway (Temporal gone) can only cut the download short: the status line has been sent.
  writeOverdueXlsx(exp, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(out);
}

/** The 考核 as a download: the ranking as CSV, or the printable 通报. */
export async function sendAssessment(reply: FastifyReply, report: AssessmentReport, format: 'json' | 'csv' | 'xlsx'): Promise<unknown> {
  if (format === 'json') return report;
  const zh = encodeURIComponent(`考核通报-${report.scope.unitName}-${report.year}.${format}`);
  reply.header('content-disposition', `attachment; filename="assessment-${report.year}.${format}"; filename*=UTF-8''${zh}`);
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(formatAssessment(report, 'csv'));
  return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await assessmentXlsxOffThread(report));
}

/** This year in the county's time zone: what the 考核 shows when no year is asked for. */
export const thisYear = (): number => Number(shanghaiDate(Date.now()).slice(0, 4));

export function reportApi(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  deps.api.add(app, {
    method: 'GET',
    url: '/api/reports/overdue',
    tag: '报告',
    summary: `逾期任务报告,按乡镇/街道和村/部门分组;format=csv 或 xlsx(每个乡镇一个工作表)下载,边查边写,先到的字节在计数完成后即发出;JSON 超过 ${REPORT_JSON_MAX_ROWS} 项、下载超过 ${REPORT_MAX_ROWS} 项时拒绝,请按单位、职责或周期缩小范围`,
    access: ['admin', 'supervisor'],
    query: OverdueQuery,
    response: OverdueReportSchema,
    produces: ['application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    handler: async ({ query, principal, reply }) => {
      const opts = { unitId: query.unit, asOf: query.asOf, dutyId: query.duty, period: query.period, flags: query.flag ? [query.flag] : undefined };
      const format = query.format ?? 'json';
      if (format === 'json') return overdueFor(ctx, principal as Principal, { ...opts, maxRows: REPORT_JSON_MAX_ROWS });
      return sendOverdueDownload(reply, await overdueExportFor(ctx, principal as Principal, { ...opts, maxRows: REPORT_MAX_ROWS }), format);
    },
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/reports/assessment',
    tag: '报告',
    summary: '年度考核:各乡镇/街道、村/社区、行业部门按目录的计分规则得分排名,附按时完成率和每项扣分的依据(任务与事件);format=csv(排名)或 xlsx(可打印的通报)下载',
    description: `year 默认今年;source=history 逐项读取任务历史和操作记录重新核算(与默认的任务列表结果相同,较慢,超过 ${ASSESSMENT_HISTORY_MAX} 项任务时拒绝,请用 unit 缩小范围)。`,
    access: ['admin', 'supervisor'],
    query: AssessmentQuery,
    response: AssessmentReportSchema,
    produces: ['application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    handler: async ({ query, principal, reply }) =>
      sendAssessment(reply, await assessmentFor(ctx, principal as Principal, { year: query.year ?? thisYear(), unitId: query.unit, source: query.source }), query.format ?? 'json'),
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/reports/dashboard',
    tag: '报告',
    summary: '逾期督办看板:按乡镇/街道和村/部门的逾期数(unit=单位编号 时附该单位的逾期任务清单)、按单位的逾期数与按时完成率排名(含待审核数、延期与退回次数)、近 8 周逾期趋势(均由计数查询得出;同一管辖范围共用,最多缓存 30 秒,有新操作时立即更新)',
    access: ['admin', 'supervisor'],
    query: DashboardQuery,
    response: z.looseObject({ report: OverdueReportSchema, ranking: z.array(z.looseObject({})), trend: z.array(z.object({ at: z.string(), count: z.number() })) }),
    handler: async ({ query, principal }) => ctx.dashboards.get(principal as Principal, { dutyId: query.duty, period: query.period, flags: query.flag ? [query.flag] : undefined, unitId: query.unit }),
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/audit',
    tag: '操作记录',
    summary: '操作记录(谁在何时做了什么),可按单位(含下级)和日期筛选;GET /audit 带 Accept: application/json 时返回相同内容',
    description: `最新的在前,每次最多 ${AUDIT_PAGE_MAX} 条(limit,默认 ${AUDIT_PAGE_MAX}),offset 跳过前若干条;响应头 X-Total-Count 为符合条件的总条数,还有更早的记录时 X-Next-Offset 给出下一页的 offset。`,
    access: ['admin', 'supervisor'],
    query: AuditQuery,
    response: z.array(AuditEntrySchema),
    handler: async ({ query, principal, reply }) => {
      return auditPageFor(ctx, principal as Principal, query, reply);
    },
  });
}

/** One page of the audit trail, with the headers that say how many there are and where the next page starts. */
export async function auditPageFor(ctx: ServiceContext, viewer: Principal, query: z.infer<typeof AuditQuery>, reply: FastifyReply): Promise<AuditEntry[]> {
  const { entries, total } = await auditEntries(ctx, viewer, { unitId: query.unit, from: query.from, to: query.to, action: query.action }, { limit: query.limit, offset: query.offset });
  reply.header('x-total-count', String(total));
  if (query.offset + entries.length < total) reply.header('x-next-offset', String(query.offset + entries.length));
  return entries;
}
