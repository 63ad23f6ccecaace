#!/usr/bin/env bash
# The web pages in a real browser (headless Chromium through selenium) against a running `keyway serve --demo`
# with its libosdp reader: a manager's single-use passcode typed at the reader's keypad, the live log, a resident's
# share opened in a fresh browser profile, revoked, and what a resident may not see; axe-core on every page;
# screenshots at phone and desktop size in .build/browser-artifacts. Expects a built keyway (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
keyway="$repo/.build/debug/keyway"
work=$(mktemp -d /tmp/keyway-web-browser.XXXXXX)
port=$(( 20000 + RANDOM % 30000 ))
base="http://127.0.0.1:$port"
artifacts="$repo/.build/browser-artifacts"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then kill -KILL "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "web-browser: $*" >&2; [ -f "$work/serve.log" ] && tail -20 "$work/serve.log" >&2; exit 1; }

(cd "$work" && KEYWAY_PYTHON="$repo/.venv/bin/python" KEYWAY_DEMO_HTTP_PORT="$port" \
  KEYWAY_DEMO_METRICS="127.0.0.1:$(( 20000 + RANDOM % 30000 ))" exec "$keyway" serve --demo >"$work/serve.log" 2>&1) &
serve_pid=$!
for _ in $(seq 1 120); do
  curl -sf "$base/login" -o /dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || fail "keyway serve --demo stopped"
  sleep 0.5
done
curl -sf "$base/login" -o /dev/null || fail "the pages did not come up on $base"

# Accounts are made on the box, as an operator does: each prints its one-time set-password link.
account() { "$keyway" users add --db "$work/var/demo/keyway.sqlite" --public-url "$base" "$@" | tail -1; }
admin_link=$(account --admin "Site admin" --email admin@example.org)
grace_link=$(account --resident "Grace Hopper" --person "Grace Hopper" --email grace@example.org)
linus_link=$(account --resident "Linus Lost" --person "Linus Lost" --email linus@example.org)

mkdir -p "$artifacts"
KEYWAY_BASE="$base" KEYWAY_BIN="$keyway" KEYWAY_WORK="$work" KEYWAY_ARTIFACTS="$artifacts" \
  ADMIN_LINK="$admin_link" GRACE_LINK="$grace_link" LINUS_LINK="$linus_link" \
  timeout 300 "$repo/.venv/bin/python" Tests/Browser/test_pages.py || fail "the browser suite failed (above)"
