import { describeBinary, resolveTemporalCli, resolveTestServer } from '../../tools/binaries';
import { startTestPostgres } from './postgres';

/** Installs the pinned binaries once, before jest starts workers, so no test pays for (or races on) the install. */
export default async function globalSetup(): Promise<void> {
  // Tests never pick up a developer's .data/payload-keys.json; those that encrypt set their own key.
  process.env.DUTY_PAYLOAD_KEY = 'off';
  const cli = await resolveTemporalCli();
  const testServer = await resolveTestServer();
  process.stdout.write(`\n${describeBinary('cli', cli)}\n${describeBinary('test-server', testServer)}\n`);
  // The PostgreSQL store's tests (the same suites as the file store's) run against a real server.
  await startTestPostgres();
}
