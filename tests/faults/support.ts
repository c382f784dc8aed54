import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyIdOf, type PayloadKeys } from '../../src/temporal/payloadKeys';
import { bundleToFile, ENGINE_WORKFLOWS } from '../../bench/lib/bundle';

/** What every fault test needs: the engine's workflows bundled once to a file (for worker processes) and a payload key. */
export interface FaultKit {
  bundle: string;
  keys: PayloadKeys;
  dir: string;
  log: (line: string) => void;
  cleanup(): void;
}

export async function faultKit(): Promise<FaultKit> {
  // No runtime logging here: workers run in child processes, and an installed runtime with nothing native to
  // release it would keep jest from exiting.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-fault-test-'));
  const key = randomBytes(32);
  return {
    bundle: await bundleToFile(ENGINE_WORKFLOWS, path.join(dir, 'engine.js')),
    keys: { current: { id: keyIdOf(key), key }, all: new Map([[keyIdOf(key), key]]), source: 'test' },
    dir,
    log: () => undefined,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
