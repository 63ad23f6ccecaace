#!/usr/bin/env bash
# Installs what Keyway needs on a Debian 12 machine that has the Swift toolchain:
# system libraries for the hardware adapters, socat, curl and jq, and a Python venv with libosdp for the test peers
# and schemathesis for the HTTP API's contract test, aiosmtpd for the e-mail delivery tests, Chromium with its WebDriver,
# selenium and axe-core for the browser suite, pngquant to keep the guides' screenshots small (scripts/web-browser.sh --update-docs).
# Idempotent: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libgpiod-dev libudev-dev libsqlite3-dev socat pkg-config python3-venv curl jq chromium chromium-driver pngquant)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

libosdp_version=3.2.9
if ! .venv/bin/python -c "import osdp" 2>/dev/null; then
  echo "setup: creating .venv with libosdp $libosdp_version" >&2
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "libosdp==$libosdp_version"
fi

schemathesis_version=4.32.5
if ! .venv/bin/python -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$schemathesis_version')" 2>/dev/null; then
  echo "setup: installing schemathesis $schemathesis_version into .venv" >&2
  .venv/bin/pip install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

# E-mail delivery's tests run a real SMTP relay on loopback (Demo/smtp_sink.py, aiosmtpd).
aiosmtpd_version=1.4.6
if ! .venv/bin/python -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$aiosmtpd_version')" 2>/dev/null; then
  echo "setup: installing aiosmtpd $aiosmtpd_version into .venv" >&2
  .venv/bin/pip install -q --disable-pip-version-check "aiosmtpd==$aiosmtpd_version"
fi

# The browser suite (scripts/web-browser.sh): selenium drives Debian's chromium through chromium-driver (no
# browser download); axe-selenium-python ships axe-core. selenium 4.52 needs a certifi newer than the registry has.
selenium_version=4.51.0
axe_version=2.1.6
if ! .venv/bin/python -c "import selenium, axe_selenium_python, sys; sys.exit(selenium.__version__ != '$selenium_version')" 2>/dev/null; then
  echo "setup: installing selenium $selenium_version and axe-selenium-python $axe_version into .venv" >&2
  .venv/bin/pip install -q --disable-pip-version-check "selenium==$selenium_version" "axe-selenium-python==$axe_version"
fi
