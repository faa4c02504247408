#!/usr/bin/env bash
# Fonts close to real plate glyphs for the synthetic plate renderer (anpr.ocr.render):
#   fonts-opendin  → OSP-DIN.ttf, a DIN 1451-like face (BE/DE/NL/LU plates use DIN-style glyphs)
#   fonts-dejavu-core → fallback faces (always mixed in for variety)
# Best effort: without them the renderer falls back to whatever DejaVu/PIL default is present, and
# models trained that way generalise worse to real plates. Exit 1 only when nothing could be done.
set -e
have() { fc-list 2>/dev/null | grep -qi "$1"; }
if have opendin && have dejavu; then echo "fonts: OSP-DIN and DejaVu present"; exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "fonts: not root and no passwordless sudo; install fonts-opendin fonts-dejavu-core yourself"; exit 1
  fi
fi
command -v apt-get >/dev/null || { echo "fonts: no apt-get; install an OSP-DIN / DIN 1451 font by hand"; exit 1; }
$SUDO apt-get install -y -q fonts-opendin fonts-dejavu-core >/dev/null 2>&1 \
  || ($SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q fonts-opendin fonts-dejavu-core >/dev/null 2>&1) \
  || { echo "fonts: apt-get failed"; exit 1; }
fc-cache -f >/dev/null 2>&1 || true
echo "fonts: installed fonts-opendin fonts-dejavu-core"
