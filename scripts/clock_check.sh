#!/usr/bin/env bash
# The suite must not depend on today's date (issue 10): run the date-sensitive part of it with
# the machine clock 45 and 400 days ahead, under Debian's plain faketime (no monotonic flags).
# Services take an injected clock; a test that reads the machine's time fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "clock check: installing Debian's faketime"
  { apt-get install -y -q faketime || { apt-get update -q && apt-get install -y -q faketime; }; } >/dev/null 2>&1 \
    || { echo "clock check: cannot install faketime (apt-get install faketime as root)" >&2; exit 1; }
fi
for offset in ${CLOCK_OFFSETS:-+45d +400d}; do
  echo "clock check: unit and integration tests with the clock ${offset}"
  faketime -f "${offset}" .venv/bin/python -m pytest -q -n 2 -p no:randomly tests/unit tests/integration
done
