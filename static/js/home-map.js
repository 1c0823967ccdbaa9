/* Home page: the pairings in force on a China province map (ECharts, drawn by china-map.js).
 * Data comes from the page (json_script #map-data).
 *
 * Nationally there are some 900 city and county pairings: drawn at once they bury the
 * province names. The map therefore shows one line per province pairing, as thick as the
 * number of city and county pairings under it and labelled with that number; the city and
 * county lines appear once the map is zoomed in (or at once when there are few, as on an
 * office's map of its own region), and the legend switches them on and off by hand. */
(function () {
  "use strict";
  var el = document.getElementById("pairing-map");
  var source = document.getElementById("map-data");
  var map = window.xiezuoChinaMap;
  if (!el || !source || !map || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels, escape = map.escape;
  var ZOOM_FOR_LOWER = 2, ZOOM_FOR_COUNTY_NAMES = 4;
  var most = data.province.reduce(function (m, d) { return Math.max(m, d.lower || 0); }, 1);
  var lowerShown = !!data.lower_shown, chosenByHand = false, zoom = 1;
  var few = (data.points_total || data.points.length) <= 40;  // a county office's map: name every place and draw its lines bold
  var fetching = false;

  function shade(names, color) {
    return names.map(function (name) { return map.shade(name, color); });
  }

  function provinceLines() {
    return data.province.map(function (d) {
      var width = 2 + 5 * Math.sqrt((d.lower || 0) / most);
      return Object.assign({}, d, { lineStyle: { width: width } });
    });
  }

  var halo = { textBorderColor: "#fff", textBorderWidth: 3 };

  function option() {
    var inset = el.clientWidth < 560 ? [52, 67] : [104, 134];  // the islands' box, smaller on a phone
    var framed = map.frame(shade(data.east, "#dbe8fb").concat(shade(data.west, "#dcf2df")), inset, 12);
    var selected = {};
    selected[labels.province] = true;
    selected[labels.lower] = lowerShown;
    return {
      animationDuration: 600,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data || {};
          if (p.seriesType === "lines") {
            var text = "<strong>" + escape(d.name) + "</strong><br>" + escape(d.east) + " → " + escape(d.west) + "<br>" + escape(d.kind);
            if (d.counts && d.counts.length) {
              text += "<br>" + escape(labels.under) + ": " + d.counts.map(function (c) {
                return escape(c[0]) + " " + c[1];
              }).join(" · ");
            }
            return text;
          }
          if (p.seriesType === "scatter") return escape(d.name);
          return escape(p.name);
        }
      },
      legend: {
        bottom: 8, left: 8, orient: "vertical",
        data: [labels.province, labels.lower],
        selected: selected,
        backgroundColor: "rgba(255,255,255,.8)"
      },
      graphic: framed.graphic,
      geo: framed.geo,
      series: [
        {
          id: "lower", name: labels.lower, type: "lines", coordinateSystem: "geo", zlevel: 1,
          lineStyle: { color: "#2b6cb0", width: few ? 2 : 1, opacity: few ? 0.85 : 0.45, curveness: 0.3 },
          emphasis: { lineStyle: { width: 2.5, opacity: 1 } },
          data: data.lower
        },
        {
          id: "province", name: labels.province, type: "lines", coordinateSystem: "geo", zlevel: 2,
          effect: { show: true, period: 6, trailLength: 0.1, symbol: "arrow", symbolSize: 7, color: "#9f1f1f" },
          lineStyle: { color: "#c0392b", opacity: 0.8, curveness: 0.2 },
          label: {
            show: true, position: "middle", fontSize: 11, fontWeight: "bold", color: "#9f1f1f",
            textBorderColor: "#fff", textBorderWidth: 3,
            formatter: function (p) { return p.data.lower ? String(p.data.lower) : ""; }
          },
          data: provinceLines()
        },
        {
          id: "points", name: "points", type: "scatter", coordinateSystem: "geo", zlevel: 3,
          symbolSize: function (value, p) { return p.data.level === "province" ? 8 : 4; },
          itemStyle: { color: function (p) { return p.data.side === "east" ? "#1f5fbf" : "#2e8b57"; } },
          label: Object.assign({
            show: true, position: "right", fontSize: 11, color: "#222",
            formatter: function (p) {
              return p.data.level === "province" || few || zoom >= ZOOM_FOR_COUNTY_NAMES ? p.data.name : "";
            }
          }, halo),
          labelLayout: { hideOverlap: true },
          data: data.points
        }
      ]
    };
  }

  /* The national page leaves the city and county lines and their places out (data.more_url):
   * fetched once, the first time they are to be shown. */
  function loadLower(chart) {
    if (!data.more_url || fetching) return;
    fetching = true;
    fetch(data.more_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (full) {
        data.lower = full.lower;
        data.points = full.points;
        data.more_url = null;
        chart.setOption({ series: [{ id: "lower", data: data.lower }, { id: "points", data: data.points }] });
      })
      .catch(function () { fetching = false; });
  }

  /* Show or hide the city and county lines; el.dataset.lower tells the browser tests. */
  function showLower(chart, show) {
    if (show) loadLower(chart);
    lowerShown = show;
    chart.dispatchAction({ type: show ? "legendSelect" : "legendUnSelect", name: labels.lower });
    el.dataset.lower = show ? "shown" : "hidden";
  }

  el.dataset.lower = lowerShown ? "shown" : "hidden";
  map.draw(el, option, function (chart) {
    chart.on("legendselectchanged", function (e) {
      if (e.name !== labels.lower) return;
      chosenByHand = true;
      lowerShown = !!e.selected[labels.lower];
      if (lowerShown) loadLower(chart);
      el.dataset.lower = lowerShown ? "shown" : "hidden";
    });
    chart.on("georoam", function () {
      var geo = chart.getOption().geo[0];
      var before = zoom;
      zoom = geo.zoom || 1;
      el.dataset.zoom = String(Math.round(zoom * 100) / 100);
      if (!chosenByHand && !data.lower_shown) showLower(chart, zoom >= ZOOM_FOR_LOWER);
      if ((before >= ZOOM_FOR_COUNTY_NAMES) !== (zoom >= ZOOM_FOR_COUNTY_NAMES)) {
        chart.setOption({ series: [{ id: "points", label: { show: true } }] });
      }
    });
  });
})();
