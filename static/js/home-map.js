/* Home page: the pairings in force on a China province map (ECharts).
 * Data comes from the page (json_script #map-data); the map from static GeoJSON. */
(function () {
  "use strict";
  var el = document.getElementById("pairing-map");
  var source = document.getElementById("map-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;

  function shade(names, color) {
    return names.map(function (name) {
      return { name: name, itemStyle: { areaColor: color }, emphasis: { itemStyle: { areaColor: color } } };
    });
  }

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

  function option() {
    return {
      animationDuration: 600,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data || {};
          if (p.seriesType === "lines") {
            return "<strong>" + escape(d.name) + "</strong><br>" + escape(d.east) + " → " + escape(d.west) + "<br>" + escape(d.kind);
          }
          if (p.seriesType === "scatter") return escape(d.name);
          return escape(p.name);
        }
      },
      legend: {
        bottom: 8, left: 8, orient: "vertical",
        data: [labels.province, labels.lower],
        backgroundColor: "rgba(255,255,255,.8)"
      },
      graphic: [{
        type: "rect", right: 6, bottom: 6, z: 0, silent: true,
        shape: { width: 112, height: 142 },
        style: { fill: "#fff", stroke: "#a9b1ba", lineWidth: 1 }
      }],
      geo: [{
        map: "china-main",
        roam: true,
        boundingCoords: [[73.4, 53.6], [135.1, 17.6]],
        top: 12, bottom: 12,
        label: { show: false },
        itemStyle: { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.6 },
        emphasis: { label: { show: true, color: "#333" }, itemStyle: { areaColor: "#dde3ea" } },
        select: { disabled: true },
        regions: shade(data.east, "#dbe8fb").concat(shade(data.west, "#dcf2df"))
      }, {
        map: "china-south-sea",
        silent: true, roam: false, z: 1,
        boundingCoords: [[106.5, 22.5], [123, 3]],
        right: 10, bottom: 10, width: 104, height: 134,
        label: { show: false },
        itemStyle: { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.6 }
      }],
      series: [
        {
          id: "province", name: labels.province, type: "lines", coordinateSystem: "geo", zlevel: 2,
          effect: { show: true, period: 6, trailLength: 0.1, symbol: "arrow", symbolSize: 7, color: "#9f1f1f" },
          lineStyle: { color: "#c0392b", width: 2.5, opacity: 0.85, curveness: 0.2 },
          data: data.province
        },
        {
          id: "lower", name: labels.lower, type: "lines", coordinateSystem: "geo", zlevel: 1,
          lineStyle: { color: "#2b6cb0", width: 1.2, opacity: 0.65, curveness: 0.3 },
          data: data.lower
        },
        {
          id: "points", name: "points", type: "scatter", coordinateSystem: "geo", zlevel: 3,
          symbolSize: function (value, p) { return p.data.level === "province" ? 8 : 5; },
          itemStyle: { color: function (p) { return p.data.side === "east" ? "#1f5fbf" : "#2e8b57"; } },
          label: {
            show: true, position: "right", fontSize: 11, color: "#333",
            formatter: function (p) { return p.data.level === "province" ? p.data.name : ""; }
          },
          data: data.points
        }
      ]
    };
  }

  fetch(el.dataset.geoUrl)
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      var parts = splitGeo(geo);
      echarts.registerMap("china-main", parts.main);
      echarts.registerMap("china-south-sea", parts.inset);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option());
      chart.on("click", function (p) {
        if (p.data && p.data.url) window.location.href = p.data.url;
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    })
    .catch(function (err) {
      el.textContent = String(err);
    });
})();
