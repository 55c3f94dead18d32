#!/usr/bin/env bash
# Set up the machine (idempotent) and run `archive demo`: the main job end to end on the
# built-in fixture platform, in a fresh archive home under ./demo-home (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/archive demo --home "${1:-demo-home}" --fresh
