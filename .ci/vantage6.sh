#!/usr/bin/env bash
# The vantage6 algorithm's tests, in their own venv: vantage6-algorithm-tools 4.x pins
# click 8.1.3 and python-dateutil 2.8.2, below the report's pins, so it cannot share the
# main test environment. Runs the tests marked `vantage6` with vantage6's
# MockAlgorithmClient (no server, no Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VANTAGE6_VENV:-.venv-v6}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -e ".[vantage6]" "pytest>=8" "hypothesis>=6.100"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -o addopts="" -m vantage6 tests/test_vantage6.py
