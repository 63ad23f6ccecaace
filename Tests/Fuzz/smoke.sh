#!/usr/bin/env bash
# CI smoke of every fuzz target: one debug build of all of them (libFuzzer + AddressSanitizer; a clean
# debug build compiles in about 40 % of the time of a release one), then each runs briefly from its seeds.
# Usage: Tests/Fuzz/smoke.sh [SECONDS per target, default 20]. Fails if any target finds a crash.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"
export FUZZ_CONFIG="${FUZZ_CONFIG:-debug}"
start=$(date +%s)
swift build -c "$FUZZ_CONFIG" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | grep -E "error|Build" || true
echo "== build ($FUZZ_CONFIG): $(( $(date +%s) - start )) s"
failed=()
for target in OSDPFuzz WiegandFuzz ReplayFuzz ConfigFuzz ControlFuzz APIFuzz; do
    FUZZ_SKIP_BUILD=1 ./run.sh "$target" "${seconds}s" || failed+=("$target")
done
echo "== smoke: $(( $(date +%s) - start )) s in all"
if (( ${#failed[@]} )); then echo "== failed: ${failed[*]} (see artifacts/)"; exit 1; fi
