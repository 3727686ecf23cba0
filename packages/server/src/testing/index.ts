/**
 * `@latchkey/server/testing`: the harness other packages' tests (web, CLI, bench) use to run a
 * real server and act on it as a user would. Server-internal helpers stay in server/test/helpers.
 */
export * from './accounts.ts';
export * from './outbox.ts';
export * from './passkey-accounts.ts';
export * from './raw-requests.ts';
export * from './server-process.ts';
export * from './test-database.ts';
export * from './test-server.ts';
