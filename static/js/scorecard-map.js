/* Scorecards on the China province map (ECharts, drawn by china-map.js): provinces shaded
 * by the composite of their province pair, counties as points at their seat, both coloured
 * by the grade cut-offs of the version. A county's or prefecture's own scorecard shows it
 * among its province's counties instead (payload.counties: the province's county areas
 * from static/vendor/geo/counties/). Data from the page (json_script #scorecard-map-data). */
(function () {
  "use strict";
  var el = document.getElementById("scorecard-map");
  var source = document.getElementById("scorecard-map-data");
  var map = window.xiezuoChinaMap;
  if (!el || !source || !map || typeof echarts === "undefined") return;
  var payload = JSON.parse(source.textContent);
  var data = payload.data, labels = payload.labels, escape = map.escape;
  /* A county whose composite rests on too little data (graded “incomplete”) is a grey point
   * in a series of its own, outside the visual map, so it is never painted as a grade. */
  var graded = data.points.filter(function (p) { return !p.incomplete; });
  var incomplete = data.points.filter(function (p) { return p.incomplete; });

  function option() {
    /* With a shared geo component the map series' own styles are ignored: the shading
     * goes on the geo regions. */
    var framed = map.frame(data.areas.map(function (a) { return map.shade(a.name, colour(a.value)); }), [90, 116], 10);
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
      geo: framed.geo,
      graphic: framed.graphic,
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
          data: graded
        },
        {
          id: "incomplete", name: labels.incomplete || "", type: "scatter", coordinateSystem: "geo", geoIndex: 0, zlevel: 2,
          symbolSize: data.points.length > 300 ? 4 : 8,
          itemStyle: { color: "#fff", borderColor: "#6c757d", borderWidth: 1 },
          data: incomplete
        }
      ]
    };
  }

  function gradeColour(value) {
    for (var i = 0; i < payload.pieces.length; i++) {
      var p = payload.pieces[i];
      if (value >= p.min && (value < p.max || p.max === 100)) return p.color;
    }
    return null;
  }
  function colour(value) {
    var c = gradeColour(value);
    return c ? lighten(c) : "#eef1f4";
  }
  function lighten(hex) {  /* the area a paler shade of the grade colour, so points stand out */
    var n = parseInt(hex.slice(1), 16), r = n >> 16, g = (n >> 8) & 255, b = n & 255;
    function mix(c) { return Math.round(c + (255 - c) * 0.45); }
    return "rgb(" + mix(r) + "," + mix(g) + "," + mix(b) + ")";
  }

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

  /* The subject among its province's counties: its own county (or a prefecture's counties)
   * in the colour of its grade, the others plain. */
  function drawCounties(spec) {
    var fill = gradeColour(spec.value) || "#6c757d";
    map.drawProvince(el, spec, function (geo, name) {
      var items = geo.features.filter(function (f) { return f.properties.adcode.indexOf(spec.prefix) === 0; })
        .map(function (f) {
          return { name: f.properties.adcode, label: f.properties.name,
                   itemStyle: { areaColor: fill, borderColor: "#5b2121", borderWidth: 1 },
                   emphasis: { itemStyle: { areaColor: fill } } };
        });
      return {
        animation: false,
        tooltip: { trigger: "item", formatter: function (p) {
          return p.data ? "<strong>" + escape(p.data.label) + "</strong><br>" + escape(spec.name) + " · " + escape(labels.composite) +
            " " + escape(spec.value == null ? "—" : spec.value) + " · " + escape(spec.grade) : escape(p.name);
        } },
        series: [{ type: "map", map: name, nameProperty: "adcode", roam: true, selectedMode: false, top: 10, bottom: 10,
                   label: { show: false }, emphasis: { label: { show: true, fontSize: 11 } },
                   itemStyle: { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.5 }, data: items }]
      };
    }, function (chart) {
      chart.on("finished", function () { printImage(chart, el); });
    });
  }

  if (payload.counties) {
    drawCounties(payload.counties);
  } else {
    map.draw(el, option, function (chart) {
      chart.on("finished", function () { printImage(chart, el); });
    });
  }
})();
