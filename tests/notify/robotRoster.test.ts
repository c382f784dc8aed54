import { parseRoster } from '../../src/roster/parse';
import { RosterError } from '../../src/errors';
import { caught, issueAt, replaceLine, ROSTER_YAML } from '../catalog/fixtures';

const FILE = 'catalog/test/roster.yaml';
/** Lines of ROSTER_YAML: t-east 6–10, v-pine 11–16 (16 is its tags), p-pine-1 on line 21. */
const PINE = '  - { id: p-pine-1, name: 村干部丁, unit: v-pine, roles: [cadre]';

async function issues(yaml: string) {
  return (await caught(RosterError, () => parseRoster(yaml, FILE))).issues;
}

test('robots name environment variables; a village cadre may use the township’s robot', () => {
  const yaml = replaceLine(
    replaceLine(ROSTER_YAML, 21, `${PINE}, channel: wecom, mobile: '13800000001', delivery: digest }`),
    10,
    '    supervisors: [p-lead]\n    robots: { wecom: { webhookEnv: WECOM_EAST }, dingtalk: { webhookEnv: DT_EAST, secretEnv: DT_EAST_SECRET } }',
  );
  const roster = parseRoster(yaml, FILE);
  expect(roster.units.find((u) => u.id === 't-east')?.robots).toEqual({ wecom: { webhookEnv: 'WECOM_EAST' }, dingtalk: { webhookEnv: 'DT_EAST', secretEnv: 'DT_EAST_SECRET' } });
  expect(roster.people.find((p) => p.id === 'p-pine-1')).toMatchObject({ channel: 'wecom', mobile: '13800000001', delivery: 'digest' });
});

test('a webhook URL or key pasted into the roster is refused', async () => {
  const found = await issues(replaceLine(ROSTER_YAML, 16, '    robots: { wecom: { webhookEnv: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6" } }'));
  expect(issueAt(found, 'units[2].robots.wecom.webhookEnv', '不要把 webhook 地址或密钥写进名册').line).toBe(16);
});

test('a robot channel without a robot on the unit or above, a bad mobile and an unknown delivery are refused', async () => {
  const found = await issues(replaceLine(ROSTER_YAML, 21, `${PINE}, channel: dingtalk, mobile: 13800000001, delivery: weekly }`));
  expect(issueAt(found, 'people[3].mobile', '必须是文本 (手机号请加引号)')).toBeDefined();
  expect(issueAt(found, 'people[3].delivery', '提醒方式必须是 per-task / digest 之一')).toBeDefined();
  const channel = await issues(replaceLine(ROSTER_YAML, 21, `${PINE}, channel: dingtalk, mobile: '2380000000' }`));
  expect(issueAt(channel, 'people[3].mobile', '手机号必须是 1 开头的 11 位数字')).toBeDefined();
  expect(issueAt(await issues(replaceLine(ROSTER_YAML, 21, `${PINE}, channel: dingtalk }`)), 'people[3].channel', '未配置钉钉机器人 (robots.dingtalk)').line).toBe(21);
});
