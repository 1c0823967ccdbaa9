/* Home page: the pairings in force on a China province map (ECharts, drawn by china-map.js).
 * Data comes from the page (json_script #map-data). */
(function () {
  "use strict";
  var el = document.getElementById("pairing-map");
  var source = document.getElementById("map-data");
  var map = window.xiezuoChinaMap;
  if (!el || !source || !map || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels, escape = map.escape;

  function shade(names, color) {
    return names.map(function (name) { return map.shade(name, color); });
  }

  function option() {
    var framed = map.frame(shade(data.east, "#dbe8fb").concat(shade(data.west, "#dcf2df")), [104, 134], 12);
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
      graphic: framed.graphic,
      geo: framed.geo,
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

  map.draw(el, option);
})();
