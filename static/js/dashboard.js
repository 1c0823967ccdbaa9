/* Live dashboard: charts from the page data, then server-sent events keep it current.
 * A new report or posting in the user's area is added to the feed at once and the
 * figures panel is fetched again, without reloading the page. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var status = document.getElementById("live-status");

  function text(value) {
    var div = document.createElement("div");
    div.textContent = value == null ? "" : String(value);
    return div.innerHTML;
  }

  var sankeyEl = document.getElementById("sankey");
  if (sankeyEl && typeof echarts !== "undefined" && data.sankey.links.length) {
    var sankey = echarts.init(sankeyEl);
    sankey.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var v = p.data.value != null ? (p.data.value / 1e6).toFixed(2) + " 万元" : "";
        return text(p.name || (p.data.source + " → " + p.data.target)) + "<br>" + v;
      } },
      series: [{ type: "sankey", data: data.sankey.nodes, links: data.sankey.links, emphasis: { focus: "adjacency" },
                 lineStyle: { color: "gradient", curveness: 0.5 }, label: { fontSize: 11 } }]
    });
    window.addEventListener("resize", function () { sankey.resize(); });
  }

  var mapEl = document.getElementById("live-map");
  if (mapEl && typeof echarts !== "undefined") {
    fetch(mapEl.dataset.geoUrl).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("china-live", geo);
      var chart = echarts.init(mapEl);
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return p.data ? text(p.data.name) + "：" + p.data.value[2] : text(p.name); } },
        geo: { map: "china-live", roam: true, boundingCoords: [[73.4, 53.6], [135.1, 17.6]],
               itemStyle: { areaColor: "#eef1f4", borderColor: "#a9b1ba", borderWidth: 0.6 } },
        series: [{ type: "scatter", coordinateSystem: "geo", data: data.points,
                   symbolSize: function (v) { return Math.min(18, 4 + Math.sqrt(v[2]) * 2); },
                   itemStyle: { color: "#2e8b57", opacity: 0.75 } }]
      });
      mapEl.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  var feed = document.getElementById("feed");
  function addFeed(line) {
    var li = document.createElement("li");
    li.className = "list-group-item small list-group-item-success";
    li.dataset.live = "1";
    li.innerHTML = '<span class="text-body-secondary">' + new Date().toLocaleTimeString() + "</span> " + text(line);
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 30) feed.removeChild(feed.lastChild);
  }

  var figures = document.getElementById("dashboard-figures");
  var pending = null;
  function refreshFigures() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fetch(figures.dataset.url, { headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) figures.innerHTML = html; });
    }, 150);
  }

  if (!window.EventSource) return;
  var source = new EventSource(figures.dataset.url.split("?")[0] + "events/");
  source.onopen = function () { status.textContent = status.dataset.live || "live"; status.className = "badge text-bg-success"; };
  source.onerror = function () { status.className = "badge text-bg-warning"; };
  source.addEventListener("reports", function (e) {
    var event = JSON.parse(e.data);
    event.data.items.forEach(function (it) { addFeed(it.project + " " + it.name + "：" + it.percent + "%"); });
    refreshFigures();
  });
  source.addEventListener("ledger", function (e) {
    var d = JSON.parse(e.data).data;
    addFeed(d.kind + " ¥" + (d.amount_fen / 100).toFixed(2));
    refreshFigures();
  });
})();
