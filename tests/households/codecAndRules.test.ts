import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { dutySchema } from '../../src/catalog/schema';
import { checkCompletion } from '../../src/shared/completion';
import type { CompletionSpec } from '../../src/shared/types';
import { AesGcmCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID } from '../../src/temporal/payloadCodec';
import { ensureKeyFile, keyIdOf, loadPayloadKeys, type PayloadKeys } from '../../src/temporal/payloadKeys';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);
const keys = (current: Buffer, ...old: Buffer[]): PayloadKeys => ({
  current: { id: keyIdOf(current), key: current },
  all: new Map([current, ...old].map((k) => [keyIdOf(k), k])),
  source: 'test',
});
const payload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const text = (p: Payload | undefined) => Buffer.from(p?.data ?? new Uint8Array()).toString();

describe('the payload codec', () => {
  const secret = { headName: '王小明', idNumber: '430981199001011237' };

  it('encrypts whole payloads with AES-256-GCM and names the key in the metadata', async () => {
    const [encoded] = await new AesGcmCodec(keys(keyA)).encode([payload(secret)]);
    expect(Buffer.from(encoded?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded?.metadata?.[METADATA_KEY_ID] ?? []).toString()).toBe(keyIdOf(keyA));
    expect(text(encoded)).not.toContain('430981199001011237');
    expect(Buffer.from(encoded?.data ?? []).includes(Buffer.from('王小明'))).toBe(false);
    const [decoded] = await new AesGcmCodec(keys(keyA)).decode([encoded as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(secret);
  });

  it('reads payloads of a rotated-out key, and refuses without it or when tampered with', async () => {
    const [old] = await new AesGcmCodec(keys(keyA)).encode([payload(secret)]);
    const rotated = new AesGcmCodec(keys(keyB, keyA));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old as Payload]))[0] as Payload)).toEqual(secret);
    await expect(new AesGcmCodec(keys(keyB)).decode([old as Payload])).rejects.toThrow(`数据用密钥 ${keyIdOf(keyA)} 加密,当前没有该密钥`);
    const tampered = { ...old, data: Buffer.from(old?.data ?? []).fill(0, 20, 24) };
    await expect(new AesGcmCodec(keys(keyA)).decode([tampered])).rejects.toThrow('无法解密');
  });

  it('passes unencrypted payloads through, so histories from before encryption stay readable', async () => {
    const plain = payload({ taskId: 't' });
    expect(await new AesGcmCodec(keys(keyA)).decode([plain])).toEqual([plain]);
    expect(await new AesGcmCodec({ all: new Map(), source: 'DUTY_PAYLOAD_KEY=off' }).encode([plain])).toEqual([plain]);
  });

  it('loads keys from the environment or the data folder, and creates a private key file once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    expect(loadPayloadKeys({}, dir).current).toBeUndefined();
    const first = ensureKeyFile(dir);
    expect(first.created).toBe(true);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(ensureKeyFile(dir).created).toBe(false);
    const fromFile = loadPayloadKeys({}, dir);
    expect(fromFile.current?.key).toHaveLength(32);
    const env = { DUTY_PAYLOAD_KEY: keyB.toString('base64'), DUTY_PAYLOAD_OLD_KEYS: `old1:${keyA.toString('base64')}` };
    const fromEnv = loadPayloadKeys(env, dir);
    expect(fromEnv.current?.id).toBe(keyIdOf(keyB));
    expect([...fromEnv.all.keys()].sort()).toEqual([keyIdOf(keyB), 'old1'].sort());
    expect(() => loadPayloadKeys({ DUTY_PAYLOAD_KEY: 'c2hvcnQ=' }, dir)).toThrow('必须是 32 字节密钥');
    expect(loadPayloadKeys({ DUTY_PAYLOAD_KEY: 'off' }, dir).current).toBeUndefined();
  });
});

describe('cross-field completion rules', () => {
  const sweep: CompletionSpec = {
    note: 'optional',
    fields: [
      { key: 'householdsScreened', label: '排查户数', type: 'integer', required: true, min: 0 },
      { key: 'newlyIdentified', label: '新识别监测对象', type: 'integer', required: true, min: 0 },
      { key: 'riskCleared', label: '风险消除', type: 'integer', required: true, min: 0 },
    ],
    rules: [
      { field: 'riskCleared', op: '<=', other: 'householdsScreened' },
      { field: 'newlyIdentified', op: '<=', other: 'householdsScreened' },
    ],
  };

  it('refuses figures that cannot all be true, in Chinese, naming both fields', () => {
    const { problems } = checkCompletion(sweep, undefined, { householdsScreened: '10', newlyIdentified: '2', riskCleared: '12' });
    expect(problems.map((p) => p.message)).toEqual(['风险消除(riskCleared)=12 不能大于 排查户数(householdsScreened)=10']);
    expect(checkCompletion(sweep, undefined, { householdsScreened: 10, newlyIdentified: 2, riskCleared: 10 }).problems).toEqual([]);
  });

  it('refuses a catalog rule that names an unknown or non-numeric field', () => {
    const base = {
      id: 'x',
      title: 'x',
      description: 'x',
      source: 'x',
      recurrence: { kind: 'monthly' },
      assignTo: { unitKinds: ['village'], role: 'cadre', per: 'unit' },
      deadline: { day: 1 },
    };
    const result = dutySchema.safeParse({
      ...base,
      completion: {
        fields: [
          { key: 'a', label: 'A', type: 'integer' },
          { key: 't', label: 'T', type: 'text' },
        ],
        rules: [
          { field: 'a', op: '<=', other: 'nope' },
          { field: 'a', op: '<', other: 't' },
        ],
      },
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining(['completion.rules.0.other: 规则引用了未定义的字段', 'completion.rules.1.other: 只能比较数字或日期字段']),
    );
  });
});
