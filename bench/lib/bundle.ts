import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

/**
 * Bundles a workflows module once and writes it to a file, so every worker process (and every restart after a
 * kill) loads it in a moment instead of running webpack again.
 */
export async function bundleToFile(workflowsPath: string, file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  writeFileSync(file, code);
  return file;
}

export const ENGINE_WORKFLOWS = path.resolve(__dirname, '..', '..', 'workflows');
