# Sourced by the suites that talk to a running demo (scripts/api-contract.sh, scripts/web-browser.sh):
#   source scripts/demo-serve.sh NAME READY_PATH
# starts `keyway serve --demo` (a libosdp reader on a pseudo-terminal) in a temporary folder on a random loopback
# port, waits until READY_PATH answers, and kills and removes it on exit. Sets repo, keyway, work, base, serve_pid;
# defines fail. Expects a built keyway (scripts/test.sh).
demo_name=$1
ready_path=$2
repo=$(pwd)
keyway="$repo/.build/debug/keyway"
work=$(mktemp -d "/tmp/keyway-$demo_name.XXXXXX")
port=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral ports (32768–60999) outgoing connections take
base="http://127.0.0.1:$port"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then kill -KILL "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "$demo_name: $*" >&2; [ -f "$work/serve.log" ] && tail -20 "$work/serve.log" >&2; exit 1; }

(cd "$work" && KEYWAY_PYTHON="$repo/.venv/bin/python" KEYWAY_DEMO_HTTP_PORT="$port" \
  KEYWAY_DEMO_METRICS="127.0.0.1:$(( 20000 + RANDOM % 30000 ))" exec "$keyway" serve --demo >"$work/serve.log" 2>&1) &
serve_pid=$!
for _ in $(seq 1 120); do
  curl -sf "$base$ready_path" -o /dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || fail "keyway serve --demo stopped"
  sleep 0.5
done
curl -sf "$base$ready_path" -o /dev/null || fail "the demo did not answer $ready_path on $base"
