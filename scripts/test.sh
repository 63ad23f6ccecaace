#!/usr/bin/env bash
# Runs the whole test suite (unit, property, CLI and interoperability tests against libosdp peers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
