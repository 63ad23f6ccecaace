#!/usr/bin/env bash
# The web pages in a real browser (headless Chromium through selenium) against a running `keyway serve --demo`
# with its libosdp reader: a manager's single-use passcode typed at the reader's keypad, the live log, a resident's
# share opened in a fresh browser profile, revoked, and what a resident may not see; a link sent by e-mail and by
# SMS and a code by e-mail, read back from the demo's outbox (its SMTP relay and SMS gateway); axe-core on every page;
# screenshots at phone and desktop size and each page's load figures (page-load.json) in .build/browser-artifacts.
# Expects a built keyway (scripts/test.sh).
#   scripts/web-browser.sh --update-docs   also refreshes docs/screenshots/ and the guides' lists of them
set -euo pipefail
cd "$(dirname "$0")/.."
update_docs=false
case "${1:-}" in
  "") ;;
  --update-docs) update_docs=true ;;
  *) echo "usage: scripts/web-browser.sh [--update-docs]" >&2; exit 2 ;;
esac
source scripts/demo-serve.sh web-browser /login
artifacts="$repo/.build/browser-artifacts"

# Accounts are made on the box, as an operator does: each command prints a one-time set-password link. The demo
# made the admin and Grace at its first start; a new link is made for each here.
db=(--db "$work/var/demo/keyway.sqlite" --public-url "$base")
admin_link=$("$keyway" users link "${db[@]}" admin@example.org | tail -1)
grace_link=$("$keyway" users link "${db[@]}" grace@example.org | tail -1)
linus_link=$("$keyway" users add "${db[@]}" --resident "Linus Lost" --person "Linus Lost" --email linus@example.org | tail -1)

rm -rf "$artifacts"
mkdir -p "$artifacts"
KEYWAY_BASE="$base" KEYWAY_BIN="$keyway" KEYWAY_WORK="$work" KEYWAY_ARTIFACTS="$artifacts" \
  ADMIN_LINK="$admin_link" GRACE_LINK="$grace_link" LINUS_LINK="$linus_link" \
  timeout 300 "$repo/.venv/bin/python" Tests/Browser/test_pages.py || fail "the browser suite failed (above)"
if $update_docs; then
  "$repo/.venv/bin/python" Tests/Browser/update_docs.py "$artifacts" docs || fail "updating docs/screenshots failed (above)"
fi
