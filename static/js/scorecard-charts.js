/* One scorecard's charts (ECharts): the composite and its two dimensions over the periods,
 * with the grade cut-offs as bands, and each indicator's score. Data from the page
 * (json_script #scorecard-chart-data). */
(function () {
  "use strict";
  var source = document.getElementById("scorecard-chart-data");
  if (!source || typeof echarts === "undefined") return;
  var d = JSON.parse(source.textContent), L = d.labels, charts = [];

  /* A picture of the chart for printing (print.css hides the canvas and shows this). */
  function printImage(chart, el) {
    if (!chart.getWidth() || !chart.getHeight()) return;  // not laid out (hidden, or the page is leaving): nothing to picture
    var img = el.nextElementSibling && el.nextElementSibling.classList.contains("chart-print") ? el.nextElementSibling : null;
    if (!img) {
      img = document.createElement("img");
      img.className = "chart-print print-only";
      img.alt = el.getAttribute("aria-label") || "";
      el.parentNode.insertBefore(img, el.nextSibling);
    }
    img.src = chart.getDataURL({ pixelRatio: 2, backgroundColor: "#fff" });
  }

  var trendEl = document.getElementById("scorecard-trend");
  if (trendEl) {
    var bands = d.pieces.map(function (p) {
      return [{ yAxis: p.min, itemStyle: { color: p.color, opacity: 0.08 }, label: { show: true, position: "insideRight", formatter: p.label, color: p.color, fontSize: 11 } },
              { yAxis: p.max }];
    });
    var chart = echarts.init(trendEl, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [L.composite, L.basic, L.effectiveness] },
      grid: { left: 40, right: 56, top: 30, bottom: 28 },
      xAxis: { type: "category", data: d.periods, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { name: L.composite, type: "line", data: d.composite, symbolSize: 7, lineStyle: { width: 3 }, color: "#9f1f1f",
          connectNulls: false, markArea: { silent: true, data: bands } },
        { name: L.basic, type: "line", data: d.basic, color: "#1f5fbf", lineStyle: { type: "dashed" } },
        { name: L.effectiveness, type: "line", data: d.effectiveness, color: "#2e8b57", lineStyle: { type: "dashed" } }
      ]
    });
    charts.push(chart);
    printImage(chart, trendEl);
  }

  var barsEl = document.getElementById("scorecard-bars");
  if (barsEl) {
    var items = d.indicators.slice().reverse();
    var bars = echarts.init(barsEl, null, { renderer: "canvas" });
    bars.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (p.value == null ? "—" : p.value); } },
      grid: { left: 8, right: 40, top: 8, bottom: 20, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: items.map(function (i) { return i.name; }), axisLabel: { fontSize: 11 } },
      series: [{
        name: L.score, type: "bar", barMaxWidth: 16,
        data: items.map(function (i) {
          var colour = "#adb5bd";
          d.pieces.forEach(function (p) { if (i.score != null && i.score >= p.min && (i.score < p.max || p.max === 100)) colour = p.color; });
          return { value: i.score, itemStyle: { color: colour } };
        }),
        label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return p.value == null ? "—" : p.value; } }
      }]
    });
    charts.push(bars);
    printImage(bars, barsEl);
  }

  function resize() {
    charts.forEach(function (c) { c.resize(); printImage(c, c.getDom()); });
  }
  window.addEventListener("resize", resize);
  document.querySelectorAll(".scorecard-chart").forEach(function (el) { el.dataset.ready = "1"; });
})();
