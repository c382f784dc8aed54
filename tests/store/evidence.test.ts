import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { randomBytes } from 'node:crypto';
import { type EvidenceStore, sha256Of } from '../../src/store/evidence';
import { evidenceStoreOf } from '../../src/store/records';
import { KINDS, replicas, type Replicas } from './replicas';

/**
 * Evidence files (佐证材料), the same contract in the data folder and in PostgreSQL: staged files are not stored until
 * committed, a discarded staging leaves nothing, and what one replica stored every other reads.
 */
describe.each(KINDS)('evidence in %s', (kind) => {
  let r: Replicas;
  let a: EvidenceStore;
  let b: EvidenceStore;
  beforeEach(async () => {
    r = await replicas(kind);
    a = evidenceStoreOf(r.a);
    b = evidenceStoreOf(r.b);
  });
  afterEach(() => r.close());

  const photo = Buffer.from('photo of the notice board');
  const table = Buffer.from('arrears list');
  const readBack = async (store: EvidenceStore, sha256: string) => {
    const blob = await store.read(sha256);
    return blob && { size: blob.size, data: await buffer(blob.stream) };
  };

  /** Whatever the store holds, staged or stored. */
  async function everything(): Promise<number> {
    if (!r.db) {
      const dir = path.join(r.dataDir, 'evidence');
      return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0;
    }
    const { rows } = await r.db.query<{ n: number }>('SELECT (SELECT count(*) FROM duty_evidence) + (SELECT count(*) FROM duty_evidence_staging) AS n');
    return Number(rows[0]!.n);
  }

  test('staged on one replica, not stored until committed, then read on another', async () => {
    const staging = await a.stage([photo, table]);
    expect(staging.blobs).toEqual([
      { sha256: sha256Of(photo), size: photo.length },
      { sha256: sha256Of(table), size: table.length },
    ]);
    expect(await b.read(sha256Of(photo))).toBeUndefined();
    await staging.commit();
    expect(await readBack(b, sha256Of(photo))).toEqual({ size: photo.length, data: photo });
    expect(await readBack(b, sha256Of(table))).toEqual({ size: table.length, data: table });
  });

  test('a discarded staging leaves nothing, and a staging settles only once', async () => {
    const staging = await a.stage([photo, table]);
    expect(await everything()).toBe(2);
    await staging.discard();
    expect(await everything()).toBe(0);
    expect(await b.read(sha256Of(photo))).toBeUndefined();
    await expect(staging.commit()).rejects.toThrow(/already committed or discarded/);
  });

  test('the same content twice, in one staging or in two, is stored once', async () => {
    await (await a.stage([photo, photo])).commit();
    await (await b.stage([photo])).commit();
    expect(await everything()).toBe(1);
  });

  test('a file of several megabytes reads back byte for byte', async () => {
    const big = randomBytes(2.5 * 1024 * 1024 + 7);
    await (await a.stage([big])).commit();
    const back = await readBack(b, sha256Of(big));
    expect(back?.size).toBe(big.length);
    // Buffer.equals: jest's element-by-element comparison of megabytes takes seconds.
    expect(back?.data.equals(big)).toBe(true);
  });

  test('anything that is not a stored hash reads as nothing', async () => {
    expect(await a.read('../../auth/accounts.json')).toBeUndefined();
    expect(await a.read('A'.repeat(64))).toBeUndefined();
    expect(await a.read(sha256Of(Buffer.from('never stored')))).toBeUndefined();
  });

  if (kind === 'postgres') {
    test('a staging abandoned by a crashed process is swept on a later upload; nothing touches the data folder', async () => {
      // Staged a day ago by a process that died before committing or discarding it.
      await a.stage([table]);
      await r.db!.query("UPDATE duty_evidence_staging SET staged_at = now() - interval '25 hours'");
      await (await b.stage([photo])).commit();
      expect(await everything()).toBe(1);
      expect(readdirSync(r.dataDir)).toEqual([]);
    });
  }
});
