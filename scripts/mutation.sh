#!/usr/bin/env bash
# Mutation testing (not part of scripts/test.sh): scripts/mutation.sh [MODULE…]
# Core modules: audit screen schedule marks report search ingest imports policy culling holds (default: all);
# `browser` applies the hand-written mutants of tests/mutants/browser.tsv one at a time.
# Prints one JSON line per module with its score; exits 1 if a mutant survives unexplained.
# MUTATION_JOBS=N tests N mutants at once (default 1; the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
exec "$PY" scripts/mutation.py "$@"
