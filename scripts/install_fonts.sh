#!/usr/bin/env bash
# Fonts close to real plate glyphs (DIN 1451-like). Best effort: renderer falls back otherwise.
set -e
if fc-list 2>/dev/null | grep -qi opendin; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y -q fonts-opendin fonts-dejavu-core >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-opendin fonts-dejavu-core >/dev/null 2>&1)) || exit 1
fi
