/** Resolves (installing if needed) the Temporal CLI and test server: `npx tsx scripts/ensure-temporal.ts`. */
import { describeBinary, resolveTemporalCli, resolveTestServer } from '../tools/binaries';

async function main(): Promise<void> {
  // Sequential on purpose: the first call does the install, the second then finds the cache.
  console.log(describeBinary('cli', await resolveTemporalCli()));
  console.log(describeBinary('test-server', await resolveTestServer()));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
