#!/usr/bin/env bash
# Set up the machine (idempotent) and run the whole test suite, lint and type checks.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# A throw-away PostgreSQL cluster for the `postgres` tests, when the server is installed.
if [ -z "${BEVARA_TEST_POSTGRES_URL:-}" ] && [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -n1)
  pg_lsclusters -h 2>/dev/null | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
  pg_ctlcluster "$ver" main start 2>/dev/null || true
  if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then
    su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='bevara'\"" | grep -q 1 \
      || su postgres -c "psql -qc \"create role bevara login password 'bevara' createdb\""
    export BEVARA_TEST_POSTGRES_URL="postgresql+psycopg://bevara:bevara@127.0.0.1/postgres"
  fi
fi

.venv/bin/ruff check archiver retention fixtures tests scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
# Two workers, one test file each at a time (module fixtures such as the fixture platform
# stay per file): the browser tests mostly wait on pages, so two cores run two files at
# once in some 60 % of the serial time. BEVARA_TEST_WORKERS=0 runs in this process.
exec .venv/bin/pytest -n "${BEVARA_TEST_WORKERS:-2}" --dist loadfile "$@"
