import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, mkdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { DirectoryEvidenceStore, sha256Of } from '../../src/store/evidence';

let dataDir: string;
let store: DirectoryEvidenceStore;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'duty-evidence-'));
  store = DirectoryEvidenceStore.inDataDir(dataDir);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every file under the evidence folder, relative to it. */
function filesUnder(dir = path.join(dataDir, 'evidence')): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const photo = Buffer.from('photo of the notice board');
const table = Buffer.from('arrears list');
const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

test('committed files lie under ab/cd/<sha256>, owner-only, and the staging area is left empty', async () => {
  const staging = await store.stage([photo, table]);
  expect(staging.blobs).toEqual([
    { sha256: sha256Of(photo), size: photo.length },
    { sha256: sha256Of(table), size: table.length },
  ]);
  // Staged is not stored: nothing can be read yet.
  expect(await store.read(sha256Of(photo))).toBeUndefined();
  await staging.commit();
  const hash = sha256Of(photo);
  expect(filesUnder()).toEqual([sha256Of(photo), sha256Of(table)].map((h) => path.join(h.slice(0, 2), h.slice(2, 4), h)).sort());
  expect(readFileSync(store.blobPath(hash))).toEqual(photo);
  expect(mode(store.blobPath(hash))).toBe('600');
  expect([path.join(dataDir, 'evidence'), path.dirname(store.blobPath(hash))].map(mode)).toEqual(['700', '700']);
  const read = await store.read(hash);
  expect(read?.size).toBe(photo.length);
  expect(await text(read!.stream)).toBe(photo.toString());
});

test('discarding leaves nothing behind, and a staging can be settled only once', async () => {
  const staging = await store.stage([photo]);
  expect(filesUnder()).toHaveLength(1);
  await staging.discard();
  expect(filesUnder()).toEqual([]);
  await expect(staging.commit()).rejects.toThrow(/already committed or discarded/);
});

test('the same content twice, in one staging or in two, is one blob', async () => {
  const first = await store.stage([photo, photo]);
  expect(first.blobs.map((b) => b.sha256)).toEqual([sha256Of(photo), sha256Of(photo)]);
  await first.commit();
  const second = await store.stage([photo]);
  await second.commit();
  expect(filesUnder()).toEqual([path.relative(path.join(dataDir, 'evidence'), store.blobPath(sha256Of(photo)))]);
});

test('anything that is not a stored hash reads as nothing', async () => {
  expect(await store.read('../../auth/accounts.json')).toBeUndefined();
  expect(await store.read('A'.repeat(64))).toBeUndefined();
  expect(await store.read(sha256Of(Buffer.from('never stored')))).toBeUndefined();
});

test('a staging folder abandoned by a crashed process is swept on a later upload', async () => {
  const abandoned = path.join(dataDir, 'evidence', '.staging', 'crashed');
  mkdirSync(abandoned, { recursive: true });
  const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
  utimesSync(abandoned, dayAgo, dayAgo);
  const recent = await store.stage([table]);
  expect(existsSync(abandoned)).toBe(false);
  // A staging still in progress elsewhere is young, and left alone.
  await (await store.stage([photo])).commit();
  await recent.commit();
  expect(filesUnder()).toHaveLength(2);
});
