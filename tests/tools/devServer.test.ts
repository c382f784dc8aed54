import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/shared/searchAttributes';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { ensureSearchAttributes } from '../../src/temporal/searchAttributes';

let tmp: string;
let server: DevServer | undefined;
let connection: Connection | undefined;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duty-devserver-'));
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await server?.stop();
  server = undefined;
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function customAttributes(namespace: string): Promise<Record<string, number>> {
  const res = await connection!.operatorService.listSearchAttributes({ namespace });
  return Object.fromEntries(Object.entries(res.customAttributes ?? {}).map(([k, v]) => [k, Number(v)]));
}

function expectedAttributes(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [
      name,
      encodeSearchAttributeIndexedValueType(TypedSearchAttributes.toSearchAttributeType(type)!)!,
    ]),
  );
}

test('persists the namespace and search attributes across restarts on one db file', async () => {
  // A nested, not yet existing folder: startDevServer must create it.
  const dbFile = path.join(tmp, 'nested', 'data', 'temporal.db');
  const namespace = 'duty-test';

  server = await startDevServer({ dbFile, namespace, headless: true });
  expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(server.uiUrl).toBeUndefined();
  connection = await Connection.connect({ address: server.address });
  expect(await customAttributes(namespace)).toMatchObject(expectedAttributes());
  await connection.close();
  connection = undefined;
  const first = server;
  await first.stop();
  await first.stop(); // idempotent
  server = undefined;
  await expect(fs.stat(dbFile)).resolves.toBeTruthy();

  server = await startDevServer({ dbFile, namespace, headless: true });
  connection = await Connection.connect({ address: server.address });
  const described = await connection.workflowService.describeNamespace({ namespace });
  expect(described.namespaceInfo?.name).toBe(namespace);
  expect(await customAttributes(namespace)).toMatchObject(expectedAttributes());
  // An empty visibility list proves the namespace answers queries, not just describe.
  const list = await connection.workflowService.listWorkflowExecutions({ namespace, query: "DutyStatus = 'open'" });
  expect(list.executions).toEqual([]);
});

test('ensureSearchAttributes is idempotent, adds new ones, and refuses a type clash', async () => {
  server = await startDevServer({ namespace: 'duty-sa', headless: true });
  connection = await Connection.connect({ address: server.address });
  await ensureSearchAttributes(connection, 'duty-sa');
  await ensureSearchAttributes(connection, 'duty-sa');
  await ensureSearchAttributes(connection, 'duty-sa', { DutyTestScore: 'Double' });
  expect(await customAttributes('duty-sa')).toHaveProperty('DutyTestScore');
  await expect(ensureSearchAttributes(connection, 'duty-sa', { DutyId: 'Int' })).rejects.toThrow(
    /DutyId exists on namespace "duty-sa" with another type/,
  );
});

test('serves the Web UI on a free port unless headless', async () => {
  server = await startDevServer({});
  expect(server.namespace).toBe('default');
  expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(server.uiUrl!);
  expect(res.status).toBe(200);
});

test('a port already in use is refused up front', async () => {
  server = await startDevServer({ headless: true });
  const port = Number(server.address.split(':')[1]);
  await expect(startDevServer({ port, headless: true })).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
});

test('a server that dies on start-up fails with its own output in the message', async () => {
  // A directory where the SQLite file should be makes the CLI exit at once.
  await expect(startDevServer({ dbFile: tmp, headless: true })).rejects.toThrow(
    /exited with code 1 before it was ready[\s\S]*unable to open database file/,
  );
});
