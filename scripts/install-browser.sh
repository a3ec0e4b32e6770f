#!/usr/bin/env bash
# Debian's chromium, and a font with Chinese characters, for the browser suite (make test-browser).
# Idempotent and quiet: installs only what is missing (as root, or through sudo), then prints the
# browser's version. Playwright's own browser downloads are never used: the suite drives
# /usr/bin/chromium (BROWSER_EXECUTABLE names another).
set -euo pipefail
packages=(chromium fonts-wqy-zenhei)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi
# (Debian's chromium launcher prints a harmless shell warning on stderr here.)
chromium --version 2>/dev/null
