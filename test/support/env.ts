// Why: tests get their infrastructure (database, Temporal servers) from environment
// variables that test/support/global-fixtures.ts fills in, or that a developer sets to
// reuse running services. Reading them here means a missing one fails with a message that
// says how to fix it, instead of a connection error to "undefined".

function required(name: string, hint: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. ${hint} It is normally set by test/support/global-fixtures.ts ` +
        `(run tests with \`npm test\` or \`npx mocha\`, which load it through .mocharc.json).`,
    );
  }
  return value;
}

/** postgres:// URL of the throw-away test database (scripts/ensure-test-postgres.sh). */
export function testDatabaseUrl(): string {
  return required('PACER_TEST_DATABASE_URL', 'Expected a postgres:// URL of a disposable database.');
}

/** host:port of a Temporal frontend shared by the whole test run (an ephemeral dev server). */
export function testTemporalAddress(): string {
  return required('PACER_TEST_TEMPORAL_ADDRESS', 'Expected host:port of a Temporal frontend.');
}

/** Namespace on testTemporalAddress(); "default" unless PACER_TEST_TEMPORAL_NAMESPACE says otherwise. */
export function testTemporalNamespace(): string {
  return process.env.PACER_TEST_TEMPORAL_NAMESPACE || 'default';
}

/** Executable of Temporal's Java time-skipping test server (scripts/fetch-temporal-test-server.sh). */
export function timeSkippingServerPath(): string {
  return required('PACER_TEST_TIME_SKIPPING_SERVER', 'Expected the path of the temporal-test-server wrapper.');
}
