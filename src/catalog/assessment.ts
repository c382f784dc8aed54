import { z } from 'zod';
import type { InputIssue } from '../errors';
import type { AssessmentRules } from '../shared/types';
import { parseShell } from '../validation/parseList';
import { readYaml } from '../validation/yamlSource';
import { unlessMissing } from '../validation/primitives';

/**
 * The 考核 rules of `assessment.yaml` in the catalog folder (optional). The defaults are common 督办 practice:
 * start at 100; −2 per task completed late, −1 more per escalation level it reached, −1 per returned completion,
 * −5 per task never completed.
 */
export const DEFAULT_ASSESSMENT: AssessmentRules = {
  start: 100,
  deductions: { late: 2, escalationLevel: 1, returned: 1, notCompleted: 5 },
};

export const ASSESSMENT_FILE = 'assessment.yaml';

/** Scores are kept in hundredths, so rules may use 0.5 or 0.25 without a sum drifting to 97.49999. */
const hasTwoDecimals = (n: number) => Math.abs(Math.round(n * 100) - n * 100) < 1e-9;

const points = (max: number) =>
  z
    .number({ error: unlessMissing('必须是数字') })
    .min(0, '不能为负数')
    .max(max, `不能大于 ${max}`)
    .refine(hasTwoDecimals, '最多两位小数');

const D = DEFAULT_ASSESSMENT.deductions;

export const assessmentSchema = z.strictObject({
  start: points(1000).refine((n) => n > 0, '必须大于 0').default(DEFAULT_ASSESSMENT.start),
  deductions: z
    .strictObject({
      late: points(100).default(D.late),
      escalationLevel: points(100).default(D.escalationLevel),
      returned: points(100).default(D.returned),
      notCompleted: points(100).default(D.notCompleted),
    })
    .default(() => ({ ...D })),
}) satisfies z.ZodType<AssessmentRules>;

const assessmentFileSchema = z.strictObject({ assessment: assessmentSchema });

/** The rules, or every issue with its file, line and field. */
export function checkAssessmentText(text: string, file: string): { rules?: AssessmentRules; issues: InputIssue[] } {
  const { shell, issues } = parseShell(readYaml(text, file), assessmentFileSchema);
  return shell ? { rules: shell.assessment, issues: [] } : { issues };
}
