#!/usr/bin/env bash
# Quick start: install what is missing, build, and run Keyway on its embedded defaults
# (SQLite in ./var, simulated hardware when none is present).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product keyway
exec .build/debug/keyway serve --demo "$@"
