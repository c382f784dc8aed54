import { z } from 'zod';
import type { UnitRobots } from '../shared/types';
import { unlessMissing } from '../validation/primitives';

/**
 * `robots:` of a unit. The roster is committed and widely read, so it names environment variables only;
 * a pasted webhook URL, key or signing secret fails here instead of leaking through the repository.
 */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

const envName = z
  .string({ error: unlessMissing('必须是环境变量名') })
  .regex(ENV_NAME, '必须是环境变量名 (大写字母、数字和下划线, 如 "WECOM_QIONGHU"); 不要把 webhook 地址或密钥写进名册');

export const robotsSchema = z.strictObject({
  wecom: z.strictObject({ webhookEnv: envName }).optional(),
  dingtalk: z.strictObject({ webhookEnv: envName, secretEnv: envName.optional() }).optional(),
}) satisfies z.ZodType<UnitRobots>;
