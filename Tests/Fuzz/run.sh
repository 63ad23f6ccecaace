#!/usr/bin/env bash
# Builds the OSDP fuzz target with libFuzzer + AddressSanitizer (linked with lld: gold trips over
# the sanitizer objects) and runs it for N seconds (default 60).
# Usage: Tests/Fuzz/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
swift build -c release --product OSDPFuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | grep -E "error|warning: unre|Build" || true
binary="$(swift build -c release --show-bin-path)/OSDPFuzz"
mkdir -p corpus
# A few real frames as seeds (first byte = chunk size selector).
printf '\x07\xff\x53\x81\x14\x00\x04\x45\xc3\xb2\xa1\x01\x01\x04\x03\x02\x01\x01\x02\x03\xaf\xbd' > corpus/pdid
printf '\x1f\x53\x81\x0e\x00\x0d\x02\x16\x40\x43\x81\x2a\xb1\x85\x39' > corpus/secure-ack
printf '\x03\x53\x81\x10\x00\x05\x50\x00\x00\x1a\x00\xa5\xc3\xf0\xc0\xba\x7c' > corpus/raw
exec "$binary" corpus -max_total_time="$seconds" -max_len=2048 -print_final_stats=1
