/* The China province map under the home page's pairings and the scorecard maps (ECharts):
 * one place for how the map is cut, framed and loaded, so the two pages draw the same China.
 * The map comes from the static GeoJSON named by the element's data-geo-url. */
window.xiezuoChinaMap = (function () {
  "use strict";

  function escape(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  /* Chinese national maps show the South China Sea islands: the main map stops just
   * south of Hainan island and an inset (bottom right) shows the islands and the
   * boundary line, as on printed maps. Both maps are cut from the one GeoJSON. */
  var SOUTH = 17.5;
  function maxLat(points) {
    return points.reduce(function (m, p) { return Math.max(m, p[1]); }, -90);
  }
  function splitGeo(geo) {
    var main = [], inset = [];
    geo.features.forEach(function (f) {
      var g = f.geometry, keep = [], south = [];
      if (g.type === "MultiPolygon") {
        g.coordinates.forEach(function (poly) { (maxLat(poly[0]) < SOUTH ? south : keep).push(poly); });
        if (f.properties.name === "海南省") south = g.coordinates;
      } else if (g.type === "MultiLineString") {
        g.coordinates.forEach(function (line) {
          var m = maxLat(line);
          if (m >= SOUTH) keep.push(line);
          if (m < 22.5 && line[0][0] > 105) south.push(line);
        });
      }
      if (keep.length) main.push({ type: "Feature", properties: f.properties, geometry: { type: g.type, coordinates: keep } });
      if (south.length) inset.push({ type: "Feature", properties: f.properties, geometry: { type: g.type, coordinates: south } });
    });
    return { main: { type: "FeatureCollection", features: main }, inset: { type: "FeatureCollection", features: inset } };
  }

  var AREA = { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.6 };

  /* The `geo` and `graphic` options: the main map (index 0, where series go; `regions`
   * shades provinces) and the inset of the islands in a framed box `inset` [width, height]
   * at the bottom right; `margin` above and below the main map. */
  function frame(regions, inset, margin) {
    return {
      geo: [{
        map: "china-main", roam: true, boundingCoords: [[73.4, 53.6], [135.1, 17.6]], top: margin, bottom: margin,
        label: { show: false },
        itemStyle: AREA,
        emphasis: { label: { show: true, color: "#333" }, itemStyle: { areaColor: "#dde3ea" } },
        select: { disabled: true },
        regions: regions
      }, {
        map: "china-south-sea", silent: true, roam: false, z: 1, boundingCoords: [[106.5, 22.5], [123, 3]],
        right: 10, bottom: 10, width: inset[0], height: inset[1], label: { show: false },
        itemStyle: AREA
      }],
      graphic: [{
        type: "rect", right: 6, bottom: 6, z: 0, silent: true, shape: { width: inset[0] + 8, height: inset[1] + 8 },
        style: { fill: "#fff", stroke: "#a9b1ba", lineWidth: 1 }
      }]
    };
  }

  /* A province shaded `color` (also under the pointer), as a `regions` entry. */
  function shade(name, color) {
    return { name: name, itemStyle: { areaColor: color }, emphasis: { itemStyle: { areaColor: color } } };
  }

  /* Whether `el` can take a chart when the map file arrives: still in the page and with a
   * size (the reader may have left the page meanwhile; ECharts cannot draw into nothing). */
  function drawable(el) {
    return el.isConnected && el.clientWidth > 0 && el.clientHeight > 0;
  }

  /* Fetch the map, draw `option()` in `el`, follow a clicked item's `url`; `setup(chart)`
   * runs before the option is set. Marks el.dataset.ready when drawn (the browser tests
   * wait for it); on failure the element says why. */
  function draw(el, option, setup) {
    return fetch(el.dataset.geoUrl)
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        if (!drawable(el)) return null;
        if (!echarts.getMap("china-main")) {
          var parts = splitGeo(geo);
          echarts.registerMap("china-main", parts.main);
          echarts.registerMap("china-south-sea", parts.inset);
        }
        var chart = echarts.init(el, null, { renderer: "canvas" });
        if (setup) setup(chart);
        chart.setOption(option());
        chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
        window.addEventListener("resize", function () { chart.resize(); });
        el.dataset.ready = "1";
        return chart;
      })
      .catch(function (err) { el.textContent = String(err); });
  }

  /* One province's counties as areas (spec: {province, geo_url}, the file from
   * static/vendor/geo/counties/): `option(geo, mapName)` gives the chart's option from the
   * county features (each with `adcode` and `name`). Marks el.dataset.ready and
   * el.dataset.province when drawn; on failure the element says why. */
  function drawProvince(el, spec, option, setup) {
    return fetch(spec.geo_url)
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        if (!drawable(el)) return null;
        var name = "counties-" + spec.province;
        if (!echarts.getMap(name)) echarts.registerMap(name, geo);
        var chart = echarts.init(el, null, { renderer: "canvas" });
        if (setup) setup(chart);
        chart.setOption(option(geo, name));
        window.addEventListener("resize", function () { chart.resize(); });
        el.dataset.ready = "1";
        el.dataset.province = spec.province;
        return chart;
      })
      .catch(function (err) { el.textContent = String(err); });
  }

  return { escape: escape, frame: frame, shade: shade, draw: draw, drawProvince: drawProvince };
})();
