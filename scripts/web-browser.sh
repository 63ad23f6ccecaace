#!/usr/bin/env bash
# The web pages in a real browser (headless Chromium through selenium) against a running `keyway serve --demo`
# with its libosdp reader: a manager's single-use passcode typed at the reader's keypad, the live log, a resident's
# share opened in a fresh browser profile, revoked, and what a resident may not see; axe-core on every page;
# screenshots at phone and desktop size in .build/browser-artifacts. Expects a built keyway (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/demo-serve.sh web-browser /login
artifacts="$repo/.build/browser-artifacts"

# Accounts are made on the box, as an operator does: each command prints a one-time set-password link. The demo
# made the admin and Grace at its first start; a new link is made for each here.
db=(--db "$work/var/demo/keyway.sqlite" --public-url "$base")
admin_link=$("$keyway" users link "${db[@]}" admin@example.org | tail -1)
grace_link=$("$keyway" users link "${db[@]}" grace@example.org | tail -1)
linus_link=$("$keyway" users add "${db[@]}" --resident "Linus Lost" --person "Linus Lost" --email linus@example.org | tail -1)

mkdir -p "$artifacts"
KEYWAY_BASE="$base" KEYWAY_BIN="$keyway" KEYWAY_WORK="$work" KEYWAY_ARTIFACTS="$artifacts" \
  ADMIN_LINK="$admin_link" GRACE_LINK="$grace_link" LINUS_LINK="$linus_link" \
  timeout 300 "$repo/.venv/bin/python" Tests/Browser/test_pages.py || fail "the browser suite failed (above)"
