#!/usr/bin/env bash
# Builds one libFuzzer target (release, linked with lld: gold trips over the sanitizer objects) and runs
# it from its checked-in seeds, reproducibly: a fixed -seed, one worker, and a fresh generated corpus
# (corpus/TARGET, not in git) unless FUZZ_KEEP_CORPUS=1.
#
# Usage: Tests/Fuzz/run.sh TARGET [RUNS | SECONDSs] [libFuzzer flags]   e.g.  run.sh OSDPFuzz 10000000   run.sh ConfigFuzz 60s
#   TARGET: OSDPFuzz WiegandFuzz ReplayFuzz ConfigFuzz ControlFuzz APIFuzz (default 60s)
#   FUZZ_SANITIZE: fuzzer,address (default, in .build) or fuzzer (no AddressSanitizer, about 3 times
#     faster, in .build-fuzzer: the long runs), FUZZ_CONFIG: release (default) or debug,
#   FUZZ_SEED (default 1), FUZZ_KEEP_CORPUS=1, FUZZ_NICE=19 (low priority), FUZZ_SKIP_BUILD=1 (smoke.sh built it),
#   libFuzzer's -fork=N after RUNS: N worker processes on one shared corpus, RUNS counted over all of them,
# Crashes land in artifacts/TARGET/ (not in git); copy a reproducer worth keeping to crashers/TARGET/.
# Reproduce one: BINARY FILE, e.g. .build/release/ConfigFuzz crashers/ConfigFuzz/known-strike-1e308.yaml
# Prints the command, then: runs, exec/s, wall time, cov/ft and the number of crash files.
set -euo pipefail
# libFuzzer reports crashes itself; the Swift backtracer would hold its output pipe open.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")"
target="${1:?usage: run.sh TARGET [RUNS | SECONDSs] [libFuzzer flags]}"
amount="${2:-60s}"
shift $(( $# >= 2 ? 2 : 1 ))
[[ -d "Sources/$target" && -d "seeds/$target" ]] || { echo "unknown target $target" >&2; exit 64; }
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"
scratch=.build
[[ "$sanitize" == fuzzer,address ]] || scratch=".build-${sanitize//,/-}"
build=(swift build -c "${FUZZ_CONFIG:-release}" --scratch-path "$scratch" -Xswiftc -sanitize="$sanitize" -Xswiftc -use-ld=lld)

max_len=$(case "$target" in OSDPFuzz) echo 2048;; WiegandFuzz) echo 1024;; ReplayFuzz) echo 1024;; ConfigFuzz) echo 8192;; APIFuzz) echo 2048;; *) echo 1024;; esac)
if [[ "$amount" == *s ]]; then limit="-max_total_time=${amount%s}"; else limit="-runs=$amount"; fi

if [[ "${FUZZ_SKIP_BUILD:-0}" != 1 ]]; then
    "${build[@]}" --product "$target" 2>&1 | grep -E "error|Build" | grep -v "^\[" || true
fi
binary="$("${build[@]}" --show-bin-path)/$target"

corpus="corpus/$target"
[[ "${FUZZ_KEEP_CORPUS:-0}" == 1 ]] || rm -rf "$corpus"
mkdir -p "$corpus" "artifacts/$target"
# The API harness keeps a site (SwiftNIO, Foundation caches) across inputs, which LeakSanitizer reports
# as leaks; AddressSanitizer's other checks stay on.
leaks=()
if [[ "$target" == APIFuzz ]]; then leaks=(-detect_leaks=0); export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"; fi
dictionary=()
[[ -f "dictionaries/$target.dict" ]] && dictionary=("-dict=dictionaries/$target.dict")
command=(nice -n "${FUZZ_NICE:-0}" "$binary" "$corpus" "seeds/$target" "$limit" -seed="${FUZZ_SEED:-1}" -max_len="$max_len"
         -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="artifacts/$target/" "${leaks[@]}" "${dictionary[@]}" "$@")
echo "+ cd Tests/Fuzz && ${command[*]}"
log="artifacts/$target/last-run.log"
start=$(date +%s)
set +e
"${command[@]}" 2>&1 | tee "$log" | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|SUMMARY|Test unit written|Fatal error"
status=${PIPESTATUS[0]}
set -e
wall=$(( $(date +%s) - start ))

# With -fork=N the workers' runs are summed on the parent's progress lines ("#RUNS: cov: … exec/s: N …"), which
# prints no final stats of its own.
runs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$log" | grep -oE "[0-9]+$" \
       || grep -oE "^#[0-9]+: cov" "$log" | tail -1 | grep -oE "[0-9]+" || echo "?")
speed=$(grep -oE "stat::average_exec_per_sec: +[0-9]+" "$log" | grep -oE "[0-9]+$" \
        || grep -oE "^#[0-9]+: cov.* exec/s: [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+$" || echo "?")
coverage=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1 || echo "?")
crashes=$(find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' | wc -l)
echo "== $target ($sanitize, ${FUZZ_CONFIG:-release}): runs $runs, exec/s $speed, wall ${wall}s, $coverage, crash files in artifacts/$target: $crashes, exit $status"
exit "$status"
