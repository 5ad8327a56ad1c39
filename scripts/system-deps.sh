#!/usr/bin/env bash
# Install the Debian packages motcua needs, only those missing (apt-get update runs only if needed).
set -euo pipefail
PACKAGES=(
  libzbar0            # pyzbar, the second opinion on QR codes
  xvfb xauth libgl1 libegl1 libmtdev1   # Kivy kiosk under a virtual screen
  x11-utils xdotool   # the kiosk reads the screen size (xdpyinfo); its UI tests tap with xdotool
  openbox matchbox-window-manager   # the kiosk fills the screen under a window manager too (UI test)
  chromium            # board, console and dashboard tests in a real browser
  espeak-ng sox       # the board's offline Vietnamese voice clips
  alsa-utils          # aplay: the kiosk's speaker (alsa://)
  tesseract-ocr tesseract-ocr-vie poppler-utils   # reading tickets and PDFs back in tests
  fonts-dejavu-core
  pcscd libpcsclite-dev gcc   # chip ID card readers over PC/SC (pyscard builds against libpcsclite)
  vsmartcard-vpcd             # the virtual PC/SC reader the chip tests put their emulated cards on
)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "motcua: installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
