#!/usr/bin/env bash
# Builds one libFuzzer target (libFuzzer + AddressSanitizer, release, linked with lld: gold trips over
# the sanitizer objects) and runs it from its checked-in seeds, reproducibly: a fixed -seed, one
# worker, and a fresh generated corpus (corpus/TARGET, not in git) unless FUZZ_KEEP_CORPUS=1.
#
# Usage: Tests/Fuzz/run.sh TARGET [RUNS | SECONDSs]      e.g.  run.sh OSDPFuzz 10000000   run.sh ConfigFuzz 60s
#   TARGET: OSDPFuzz WiegandFuzz ReplayFuzz ConfigFuzz ControlFuzz (default 60s)
#   FUZZ_SEED (default 1), FUZZ_KEEP_CORPUS=1, FUZZ_NICE=19 (run at low priority), FUZZ_CONFIG=debug,
#   extra libFuzzer flags after the second argument (e.g. -only_ascii=1).
# Crashes land in artifacts/TARGET/ (not in git); copy a reproducer worth keeping to crashers/TARGET/.
# Reproduce one: .build/release/TARGET artifacts/TARGET/crash-…   (or crashers/TARGET/FILE)
# Prints the command, then: runs, exec/s, wall time, cov/ft and the number of crash files.
set -euo pipefail
# libFuzzer reports crashes itself; the Swift backtracer would hold its output pipe open.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")"
target="${1:?usage: run.sh TARGET [RUNS | SECONDSs] [libFuzzer flags]}"
amount="${2:-60s}"
shift $(( $# >= 2 ? 2 : 1 ))
[[ -d "Sources/$target" && -d "seeds/$target" ]] || { echo "unknown target $target" >&2; exit 64; }
configuration="${FUZZ_CONFIG:-release}"

max_len=$(case "$target" in OSDPFuzz) echo 2048;; WiegandFuzz) echo 4096;; ReplayFuzz) echo 1024;; ConfigFuzz) echo 8192;; *) echo 4096;; esac)
if [[ "$amount" == *s ]]; then limit="-max_total_time=${amount%s}"; else limit="-runs=$amount"; fi

swift build -c "$configuration" --product "$target" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 \
    | grep -E "error|warning: unre|Compiling|Build" | grep -v "^\[" || true
binary="$(swift build -c "$configuration" --show-bin-path)/$target"

corpus="corpus/$target"
[[ "${FUZZ_KEEP_CORPUS:-0}" == 1 ]] || rm -rf "$corpus"
mkdir -p "$corpus" "artifacts/$target"
dictionary=()
[[ -f "dictionaries/$target.dict" ]] && dictionary=("-dict=dictionaries/$target.dict")
command=(nice -n "${FUZZ_NICE:-0}" "$binary" "$corpus" "seeds/$target" "$limit" -seed="${FUZZ_SEED:-1}" -max_len="$max_len"
         -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="artifacts/$target/" "${dictionary[@]}" "$@")
echo "+ cd Tests/Fuzz && ${KEYWAY_FUZZ_AVOID_KNOWN_TRAPS:+KEYWAY_FUZZ_AVOID_KNOWN_TRAPS=$KEYWAY_FUZZ_AVOID_KNOWN_TRAPS }${command[*]}"
log="artifacts/$target/last-run.log"
start=$(date +%s)
set +e
"${command[@]}" 2>&1 | tee "$log" | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|SUMMARY|Test unit written|Fatal error"
status=${PIPESTATUS[0]}
set -e
wall=$(( $(date +%s) - start ))

runs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
speed=$(grep -oE "stat::average_exec_per_sec: +[0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
coverage=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1 || echo "?")
crashes=$(find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' | wc -l)
echo "== $target: runs $runs, exec/s $speed, wall ${wall}s, $coverage, crash files in artifacts/$target: $crashes, exit $status"
exit "$status"
