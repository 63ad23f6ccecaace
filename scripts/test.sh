#!/usr/bin/env bash
# Runs the whole test suite (unit, property, CLI and interoperability tests against libosdp peers) and a
# short smoke of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
# Every fuzz target built with libFuzzer + AddressSanitizer and run briefly from its seeds (about 3.5 min).
Tests/Fuzz/smoke.sh 10
