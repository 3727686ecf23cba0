import { defineConfig } from 'vitest/config';

// The server suite runs twice when a PostgreSQL URL is given: once on the embedded SQLite
// database and once on PostgreSQL, so both storage back ends are held to the same tests.
const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

const serverProject = (name: string, env: Record<string, string>) => ({
  test: {
    name,
    include: ['packages/server/test/**/*.test.ts', 'packages/cli/test/**/*.test.ts'],
    env,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { test: { name: 'client', include: ['packages/client/test/**/*.test.ts'], testTimeout: 30_000 } },
      serverProject('server-sqlite', { LATCHKEY_TEST_DB: 'sqlite' }),
      ...(postgresUrl ? [serverProject('server-postgres', { LATCHKEY_TEST_DB: 'postgres' })] : []),
      // The web app end to end in Debian's Chromium; globalSetup builds packages/web/dist when stale.
      {
        test: {
          name: 'web',
          include: ['packages/web/test/**/*.test.ts'],
          globalSetup: ['packages/web/test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
