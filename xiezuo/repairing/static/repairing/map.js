/* A re-pairing proposal on the China map (ECharts, drawn by china-map.js): lines from the
 * eastern to the western unit; kept pairs grey, added green, removed red and dashed.
 * Data from the page (json_script #repairing-map-data). */
(function () {
  "use strict";
  var el = document.getElementById("repairing-map");
  var source = document.getElementById("repairing-map-data");
  var map = window.xiezuoChinaMap;
  if (!el || !source || !map || typeof echarts === "undefined") return;
  var payload = JSON.parse(source.textContent);
  var colours = { kept: "#8a94a6", added: "#198754", removed: "#dc3545" };
  function series(kind) {
    return {
      name: payload.labels[kind], type: "lines", coordinateSystem: "geo", geoIndex: 0, zlevel: kind === "kept" ? 1 : 2,
      lineStyle: { color: colours[kind], width: kind === "kept" ? 1 : 2, type: kind === "removed" ? "dashed" : "solid", opacity: kind === "kept" ? 0.5 : 0.9, curveness: 0.15 },
      symbol: ["none", "arrow"], symbolSize: 6,
      data: payload.lines.filter(function (l) { return l.kind === kind; }).map(function (l) { return { coords: l.coords, name: l.name }; })
    };
  }
  function option() {
    var framed = map.frame([], [90, 116], 10);
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return map.escape(p.name || (p.data && p.data.name)); } },
      legend: { top: 4, left: 8, data: [payload.labels.kept, payload.labels.added, payload.labels.removed] },
      geo: framed.geo, graphic: framed.graphic,
      series: [series("kept"), series("added"), series("removed"), {
        type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 4, zlevel: 3, itemStyle: { color: "#0d6efd" },
        data: payload.points.map(function (p) { return { name: p.name, value: p.value }; })
      }]
    };
  }
  map.draw(el, option);
})();
