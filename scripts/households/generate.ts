/**
 * Writes a household file of N fictional households for load tests:
 *   npx tsx scripts/households/generate.ts 5000 .data/bench/households-5000.csv [--cleared-share 1]
 * Villages round-robin over the default roster; every ID number has a valid check digit; a share of households
 * (all by default) were cleared within the last 80 days, so each starts a revisit programme with one open revisit.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { settings } from '../../src/config';
import { checkCharacter } from '../../src/validation/idCard';
import { ZONE } from '../../src/shared/zone';

const FAMILY = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';

export async function generate(count: number, clearedShare = 1): Promise<string> {
  const villages = (await loadCatalog(settings().catalogDir)).roster.units.filter((u) => u.kind === 'village').map((u) => u.id);
  const today = DateTime.now().setZone(ZONE);
  const lines = ['户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期'];
  for (let i = 0; i < count; i++) {
    const birth = DateTime.fromObject({ year: 1950 + (i % 50), month: 1 + (i % 12), day: 1 + (i % 28) });
    const first17 = `430981${birth.toFormat('yyyyMMdd')}${String(i % 1000).padStart(3, '0')}`;
    const cleared = (i * 7919) % 1000 < clearedShare * 1000 ? today.minus({ days: 5 + (i % 75) }).toISODate() : '';
    lines.push(
      [
        `BENCH-${String(i + 1).padStart(6, '0')}`,
        `${FAMILY[i % FAMILY.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 13) % GIVEN.length]}`,
        `${first17}${checkCharacter(first17)}`,
        villages[i % villages.length],
        ['脱贫不稳定户', '边缘易致贫户', '突发严重困难户'][i % 3],
        ['因病', '因学、因残', '因灾', '因务工就业不稳'][i % 4],
        today.minus({ days: 200 + (i % 300) }).toISODate(),
        cleared,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const [countArg, out, flag, share] = process.argv.slice(2);
  const count = Number(countArg);
  if (!Number.isInteger(count) || count < 1 || !out) throw new Error('用法: generate.ts <户数> <输出.csv> [--cleared-share 0..1]');
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, await generate(count, flag === '--cleared-share' ? Number(share) : 1));
  process.stdout.write(`已生成 ${count} 户: ${out}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
