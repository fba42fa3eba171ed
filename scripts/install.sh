#!/usr/bin/env bash
# Install what the portal needs on a fresh machine, and nothing twice: system packages
# (Java, Maven, Redis, Tesseract; Chromium too with --browser, for the browser tests), the Python environment,
# the compiled translations. Downloads are cached (~/.cache/pip, ~/.m2).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v unzip >/dev/null || missing+=(unzip)
command -v curl >/dev/null || missing+=(curl)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ "${1:-}" = "--browser" ]; then [ -x /usr/bin/chromium ] || missing+=(chromium); fi
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# OCR of scanned files: Tika runs Tesseract with its Vietnamese and English models (deploy/tika/tika-config.xml).
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
for model in vie eng; do
  [ -n "$(find /usr/share/tesseract-ocr -name "$model.traineddata" 2>/dev/null | head -1)" ] \
    || missing+=("tesseract-ocr-$model")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "installing system packages: ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    die "missing system packages (install them as root): ${missing[*]}"
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  log "creating the Python environment in .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  log "installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt >&2
  echo "$wanted" > "$stamp"
fi
node_stamp=node_modules/.package-lock.sha256
node_wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$node_stamp" 2>/dev/null)" != "$node_wanted" ]; then
  log "installing node modules (pdf.js for the record viewer, axe-core for the browser tests)"
  npm ci --ignore-scripts --no-audit --no-fund --omit=optional >&2
  echo "$node_wanted" > "$node_stamp"
fi
scripts/vendor-pdfjs.sh
.venv/bin/pybabel compile -d translations >/dev/null
