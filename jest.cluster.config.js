/**
 * `npm run test:cluster`: the engine on a production-shaped cluster (PostgreSQL, four Temporal services, two workers,
 * two HTTP replicas), brought up once by globalSetup and shared by every file, which therefore run one at a time.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/cluster'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/tests/cluster/support/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/cluster/support/globalTeardown.ts',
  testTimeout: 300000,
  maxWorkers: 1,
};
