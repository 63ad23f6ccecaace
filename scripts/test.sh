#!/usr/bin/env bash
# Runs the whole test suite (unit, property, CLI and interoperability tests against libosdp peers), the HTTP
# API's contract test (schemathesis), the web pages in a real browser and a short smoke of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
# The HTTP API against its OpenAPI document with schemathesis, on a running demo site (about 30 s).
scripts/api-contract.sh
# The web pages in headless Chromium against a running demo site, axe-core on every page (about 1.5 min).
scripts/web-browser.sh
# Every fuzz target built with libFuzzer + AddressSanitizer and run briefly from its seeds (about 3.5 min).
Tests/Fuzz/smoke.sh 10
