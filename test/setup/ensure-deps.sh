#!/usr/bin/env bash
# Makes sure the real peers the tests talk to are on this machine:
#   chromium          end-to-end tests (Playwright drives Debian's Chromium; no browser download)
#   python3-pymodbus  an independent Modbus peer, TCP and RTU (runs under /usr/bin/python3); Debian's 3.0 imports
#                     serial and serial_asyncio even for TCP, hence python3-serial and python3-serial-asyncio
#   socat             pseudo-terminal pairs: the serial line between our RTU transport and pymodbus's serial server
#   gnome-keyring     a real OS keychain (Secret Service) for the secret-store tests, in a private D-Bus session
#   dbus              the session bus daemon (dbus-daemon) the keyring talks over
#   libsecret-tools   secret-tool, an independent reader of what the app stored in the keychain
# On Debian as root it installs what is missing with apt-get; otherwise it names the packages and stops.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c 'import pymodbus.server' >/dev/null 2>&1 || missing+=(python3-pymodbus python3-serial python3-serial-asyncio)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus)
command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test setup: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "test setup: these Debian packages are needed and missing: ${missing[*]}" >&2
echo "install them as root: apt-get install -y ${missing[*]}" >&2
exit 1
