#!/usr/bin/env bash
# The web pages in a real browser (headless Chromium through selenium) against a running `keyway serve --demo`
# with its libosdp reader: a manager's single-use passcode typed at the reader's keypad, the live log, a resident's
# share opened in a fresh browser profile, revoked, and what a resident may not see; axe-core on every page;
# screenshots at phone and desktop size in .build/browser-artifacts. Expects a built keyway (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/demo-serve.sh web-browser /login
artifacts="$repo/.build/browser-artifacts"

# Accounts are made on the box, as an operator does: each prints its one-time set-password link.
account() { "$keyway" users add --db "$work/var/demo/keyway.sqlite" --public-url "$base" "$@" | tail -1; }
admin_link=$(account --admin "Site admin" --email admin@example.org)
grace_link=$(account --resident "Grace Hopper" --person "Grace Hopper" --email grace@example.org)
linus_link=$(account --resident "Linus Lost" --person "Linus Lost" --email linus@example.org)

mkdir -p "$artifacts"
KEYWAY_BASE="$base" KEYWAY_BIN="$keyway" KEYWAY_WORK="$work" KEYWAY_ARTIFACTS="$artifacts" \
  ADMIN_LINK="$admin_link" GRACE_LINK="$grace_link" LINUS_LINK="$linus_link" \
  timeout 300 "$repo/.venv/bin/python" Tests/Browser/test_pages.py || fail "the browser suite failed (above)"
