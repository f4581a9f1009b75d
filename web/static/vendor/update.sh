#!/usr/bin/env bash
# Re-vendor the front-end libraries from npm at the pinned versions below, as built files.
# The pages load only these copies (no CDN: union intranets often have no internet).
# Usage: bash web/static/vendor/update.sh   (needs npm; rewrites this folder's library files and VERSIONS.md)
set -euo pipefail
cd "$(dirname "$0")"

# package@version  files to keep (paths inside the package)  destination folder
PACKAGES=(
  "@tabler/core@1.6.1|dist/css/tabler.min.css dist/js/tabler.min.js|tabler"
  "htmx.org@2.0.11|dist/htmx.min.js LICENSE|htmx"
  "weui@2.6.26|dist/style/weui.min.css LICENSE.txt|weui"
  "echarts@6.1.0|dist/echarts.min.js LICENSE NOTICE|echarts"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

{
  echo "# Vendored front-end libraries"
  echo
  echo "Built files from npm, written by \`update.sh\` in this folder; do not edit them by hand."
  echo
  echo "| folder | npm package | version | licence | files |"
  echo "|---|---|---|---|---|"
} > "$work/VERSIONS.md"

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r spec files folder <<< "$entry"
  name="${spec%@*}"
  version="${spec##*@}"
  tarball="$(cd "$work" && npm pack --silent "$spec")"
  mkdir -p "$work/$folder"
  tar -xzf "$work/$tarball" -C "$work/$folder"
  licence="$(node -p "require('$work/$folder/package/package.json').license")"
  rm -rf "$folder"
  mkdir -p "$folder"
  kept=""
  for file in $files; do
    cp "$work/$folder/package/$file" "$folder/"
    kept="$kept $(basename "$file")"
  done
  echo "| \`$folder/\` | \`$name\` | $version | $licence | ${kept# } |" >> "$work/VERSIONS.md"
done

cat >> "$work/VERSIONS.md" <<'NOTES'

Notes:
- Tabler's `tabler.min.js` bundles Bootstrap 5's JavaScript (MIT); its licence header is at the top
  of each file (the npm package ships no separate LICENSE file).
- htmx stays on the 2.0 line, whose attributes the project's pages use; 4.x changed defaults
  (attribute inheritance, fetch-based requests).
- None of these files loads anything from another host (checked by tests/web/test_vendor.py).
NOTES
mv "$work/VERSIONS.md" VERSIONS.md
echo "vendored: $(ls -d */ | tr -d / | tr '\n' ' ')"
