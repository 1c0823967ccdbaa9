/* Scorecards on the China province map (ECharts): provinces shaded by the composite of
 * their province pair, counties as points at their seat, both coloured by the grade
 * cut-offs of the version. Data from the page (json_script #scorecard-map-data); the map
 * from the static GeoJSON that the home page uses. The repository has no county
 * boundaries, so counties are points, not areas. */
(function () {
  "use strict";
  var el = document.getElementById("scorecard-map");
  var source = document.getElementById("scorecard-map-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var payload = JSON.parse(source.textContent);
  var data = payload.data, labels = payload.labels;

  function escape(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  /* As on the home page: the main map stops south of Hainan and an inset shows the South
   * China Sea islands. */
  var SOUTH = 17.5;
  function maxLat(points) { return points.reduce(function (m, p) { return Math.max(m, p[1]); }, -90); }
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

  function option() {
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data || {};
          if (p.seriesType === "scatter") {
            return "<strong>" + escape(d.name) + "</strong><br>" + escape(labels.composite) + " " + escape(d.value[2]) + " · " + escape(d.grade);
          }
          if (!d.pairs) return escape(p.name);
          return "<strong>" + escape(p.name) + "</strong><br>" + d.pairs.map(escape).join("<br>");
        }
      },
      visualMap: {
        type: "piecewise", pieces: payload.pieces, dimension: 2, seriesIndex: [1],
        left: 8, bottom: 8, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 },
        backgroundColor: "rgba(255,255,255,.85)", padding: 6
      },
      geo: [{
        map: "sc-main", roam: true, boundingCoords: [[73.4, 53.6], [135.1, 17.6]], top: 10, bottom: 10,
        label: { show: false },
        itemStyle: { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.6 },
        emphasis: { label: { show: true, color: "#333" }, itemStyle: { areaColor: "#dde3ea" } },
        select: { disabled: true },
        /* With a shared geo component the map series' own styles are ignored: the shading
         * goes on the geo regions. */
        regions: data.areas.map(function (a) {
          return { name: a.name, itemStyle: { areaColor: colour(a.value) }, emphasis: { itemStyle: { areaColor: colour(a.value) } } };
        })
      }, {
        map: "sc-south", silent: true, roam: false, z: 1, boundingCoords: [[106.5, 22.5], [123, 3]],
        right: 10, bottom: 10, width: 90, height: 116, label: { show: false },
        itemStyle: { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.6 }
      }],
      graphic: [{ type: "rect", right: 6, bottom: 6, z: 0, silent: true, shape: { width: 98, height: 124 },
                  style: { fill: "#fff", stroke: "#a9b1ba", lineWidth: 1 } }],
      series: [
        {
          id: "areas", name: labels.pairs, type: "map", geoIndex: 0,
          data: data.areas.map(function (a) {
            return { name: a.name, value: a.value, pairs: a.pairs, url: a.url };
          })
        },
        {
          id: "counties", name: labels.counties, type: "scatter", coordinateSystem: "geo", geoIndex: 0, zlevel: 2,
          symbolSize: data.points.length > 300 ? 4 : 8,
          itemStyle: { borderColor: "#fff", borderWidth: data.points.length > 300 ? 0 : 1 },
          data: data.points
        }
      ]
    };
  }

  function colour(value) {
    for (var i = 0; i < payload.pieces.length; i++) {
      var p = payload.pieces[i];
      if (value >= p.min && (value < p.max || p.max === 100)) return lighten(p.color);
    }
    return "#eef1f4";
  }
  function lighten(hex) {  /* the area a paler shade of the grade colour, so points stand out */
    var n = parseInt(hex.slice(1), 16), r = n >> 16, g = (n >> 8) & 255, b = n & 255;
    function mix(c) { return Math.round(c + (255 - c) * 0.45); }
    return "rgb(" + mix(r) + "," + mix(g) + "," + mix(b) + ")";
  }

  /* A picture of the chart for printing (print.css hides the canvas and shows this). */
  function printImage(chart, el) {
    var img = el.nextElementSibling && el.nextElementSibling.classList.contains("chart-print") ? el.nextElementSibling : null;
    if (!img) {
      img = document.createElement("img");
      img.className = "chart-print print-only";
      img.alt = el.getAttribute("aria-label") || "";
      el.parentNode.insertBefore(img, el.nextSibling);
    }
    img.src = chart.getDataURL({ pixelRatio: 2, backgroundColor: "#fff" });
  }

  fetch(el.dataset.geoUrl)
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      var parts = splitGeo(geo);
      echarts.registerMap("sc-main", parts.main);
      echarts.registerMap("sc-south", parts.inset);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.on("finished", function () { printImage(chart, el); });
      chart.setOption(option());
      chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    })
    .catch(function (err) { el.textContent = String(err); });
})();
