import { defineConfig } from 'vitest/config';

// Tests that stop and start services, kill agents mid-read and wait for the hosted state to
// equal the directory. They run last and alone, because on two cores the load of the other
// files (lab seeding above all) slows the DC enough to stretch their waits past any bound.
const soloFiles = ['test/agent/agent-resilience.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests share one lab DC and one PostgreSQL server, and this machine has two
    // cores: two files at a time keeps them from starving each other.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...soloFiles],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'solo', include: soloFiles, sequence: { groupOrder: 1 }, maxWorkers: 1 },
      },
    ],
  },
});
