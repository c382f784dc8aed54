import { teardown } from './globalSetup';

export default async function globalTeardown(): Promise<void> {
  await teardown();
}
