#!/usr/bin/env bash
# Set up this machine for Bevara: Debian packages, a virtualenv in .venv, the package itself.
# Idempotent: run it as often as you like. Needs root (or sudo) for apt-get the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  chromium                 # the browser we drive (Debian's build, not Playwright's download)
  fonts-noto-color-emoji   # colour emoji in screenshots instead of empty boxes
  fonts-noto-core fonts-dejavu-core fonts-dejavu
  fonts-noto-cjk           # Chinese, Japanese, Korean: without them a LinkedIn footer's 日本語 prints as
                           # .notdef boxes, which PDF/A forbids, and the print record is refused
  tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng   # OCR for raster-only content
  poppler-utils            # pdftotext/pdffonts, used by tests to read our PDFs back
  postgresql               # for the PostgreSQL test tier (the product runs on SQLite too)
  python3-venv
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  [[ "$p" == \#* ]] && continue
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.bevara-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -e '.[test]' >&2
  touch "$stamp"
fi
# Byte-compile the project as pip does for a regular install: an editable install is
# compiled on first import, unless PYTHONDONTWRITEBYTECODE is set (as on some CI
# machines); then every `archive` run compiled its modules anew (0.15 CPU-s a start).
.venv/bin/python -m compileall -q archiver retention fixtures >/dev/null
