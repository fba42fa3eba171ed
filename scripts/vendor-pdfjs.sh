#!/usr/bin/env bash
# pdf.js for the record viewer, served by the portal itself from static/vendor/pdfjs (no CDN): the build,
# its worker, and the data it fetches (standard fonts, CMaps, colour profiles, the JavaScript fallback of
# its decoders), copied from node_modules/pdfjs-dist (npm, package-lock.json) when the version there
# is not the one copied. Not committed: static/vendor is in .gitignore.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"

package=node_modules/pdfjs-dist
target=static/vendor/pdfjs
[ -f "$package/package.json" ] || die "$package is missing: run npm ci"
version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$package/package.json" | head -1)"
[ "$(cat "$target/VERSION" 2>/dev/null)" = "$version" ] && exit 0
log "copying pdf.js $version to $target"
rm -rf "$target.new"
mkdir -p "$target.new"
cp "$package/build/pdf.min.mjs" "$package/build/pdf.worker.min.mjs" "$package/LICENSE" "$target.new/"
cp -r "$package/standard_fonts" "$package/cmaps" "$package/iccs" "$package/wasm" "$target.new/"
echo "$version" > "$target.new/VERSION"
rm -rf "$target"
mv "$target.new" "$target"
