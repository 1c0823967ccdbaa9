/* Live dashboard: charts from the page data, then server-sent events keep it current.
 * A new report, posting or project status in the user's area is added to the feed at once
 * and the figures panel is fetched again (at most every few seconds), without reloading the page. The server words each
 * event (its `lines`: Beijing time and text in the reader's language, as after a reload);
 * this script only shows them. */
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

  /* The map at the office's level: where its projects in progress lie in one province,
   * that province's counties as areas shaded by how many (its own area outlined); else
   * China with the counties as points (china-map.js). */
  var mapEl = document.getElementById("live-map");
  var chinaMap = window.xiezuoChinaMap;
  if (mapEl && chinaMap && typeof echarts !== "undefined") {
    if (data.map.province) drawCounties(mapEl, data.map);
    else drawChina(mapEl);
  }

  function drawChina(el) {
    chinaMap.draw(el, function () {
      var framed = chinaMap.frame([], [104, 134], 12);
      return {
        tooltip: { trigger: "item", formatter: function (p) {
          return p.seriesType === "scatter" ? text(p.data.name) + "：" + p.data.value[2] : text(p.name);
        } },
        geo: framed.geo, graphic: framed.graphic,
        series: [{ type: "scatter", coordinateSystem: "geo", geoIndex: 0, data: data.points,
                   symbolSize: function (v) { return Math.min(18, 4 + Math.sqrt(v[2]) * 2); },
                   itemStyle: { color: "#2e8b57", opacity: 0.75 } }]
      };
    });
  }

  function drawCounties(el, spec) {
    chinaMap.drawProvince(el, spec, function (geo, name) {
      var counts = {}, max = 1;
      data.points.forEach(function (p) { counts[p.code] = p.value[2]; max = Math.max(max, p.value[2]); });
      var own = spec.own && spec.own.length >= 4 ? spec.own : "";  /* a prefecture or county office */
      var items = geo.features.map(function (f) {
        var code = f.properties.adcode, item = { name: code, label: f.properties.name, value: counts[code] || 0 };
        if (own && code.indexOf(own) === 0) item.itemStyle = { borderColor: "#9f1f1f", borderWidth: 2 };
        return item;
      });
      return {
        tooltip: { trigger: "item", formatter: function (p) {
          return p.data ? text(p.data.label) + "：" + p.data.value : text(p.name);
        } },
        visualMap: { type: "continuous", min: 0, max: max, left: 8, bottom: 8, itemHeight: 90, calculable: false,
                     text: [String(max), "0"], textStyle: { fontSize: 11 }, inRange: { color: ["#f1f5f2", "#1e7a46"] } },
        series: [{ type: "map", map: name, nameProperty: "adcode", roam: true, selectedMode: false, top: 12, bottom: 12,
                   label: { show: false }, emphasis: { label: { show: true, fontSize: 11 } },
                   itemStyle: { borderColor: "#9aa4ae", borderWidth: 0.5 }, data: items }]
      };
    });
  }

  var feed = document.getElementById("feed");
  function addFeed(line) {
    var li = document.createElement("li");
    li.className = "list-group-item small list-group-item-success";
    li.dataset.live = "1";
    li.innerHTML = '<span class="text-body-secondary">' + text(line.time) + "</span> " + text(line.text);
    var empty = feed.querySelector("[data-empty]");
    if (empty) feed.removeChild(empty);
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 30) feed.removeChild(feed.lastChild);
  }

  /* Figures are re-fetched only for events that change them (money, a project's status),
   * at most once per FIGURES_MS: a burst of writes costs one re-fetch, never one per write.
   * The server answers the office's pages from one computation per change. */
  var FIGURES_MS = 5000, FIGURE_KINDS = { ledger: 1, project: 1 };
  function onEvent(e) {
    (JSON.parse(e.data).lines || []).forEach(addFeed);
    if (FIGURE_KINDS[e.type]) refreshFigures();
  }

  var figures = document.getElementById("dashboard-figures");
  var pending = null, lastFetch = 0;
  function refreshFigures() {
    if (pending) return;
    var now = Date.now(), wait = Math.max(300 + Math.random() * 700, lastFetch + FIGURES_MS - now);
    pending = setTimeout(function () {
      pending = null;
      lastFetch = Date.now();
      /* naming the event it follows lets the office's pages share one computation */
      fetch(figures.dataset.url + (lastId ? "&after=" + encodeURIComponent(lastId) : ""), { headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) figures.innerHTML = html; });
    }, wait);
  }

  /* The stream resumes where it broke: EventSource sends the last event id on reconnecting
   * and the server replays what was missed ("resync" when it is no longer kept: the figures
   * are fetched again). A connection that goes silent (no event, no ping for 40 s, as when a
   * worker hangs) is closed and opened again here, from the last id seen. */
  if (!window.EventSource) return;
  var streamUrl = figures.dataset.url.split("?")[0] + "events/", source = null, lastId = "", lastSeen = Date.now();
  function heard(e) { lastSeen = Date.now(); if (e && e.lastEventId) lastId = e.lastEventId; }
  function connect() {
    source = new EventSource(streamUrl + (lastId ? "?last=" + encodeURIComponent(lastId) : ""));
    lastSeen = Date.now();
    source.onopen = function () { heard(); status.textContent = status.dataset.live || "live"; status.className = "badge text-bg-success"; };
    source.onerror = function () {
      status.className = "badge text-bg-warning";
      /* an error answer (a proxy's 502 while a worker restarts) ends EventSource's own retries */
      var failed = source;
      if (failed.readyState === EventSource.CLOSED) setTimeout(function () { if (source === failed) connect(); }, 2000 + Math.random() * 2000);
    };
    ["reports", "ledger", "project"].forEach(function (kind) {
      source.addEventListener(kind, function (e) { heard(e); onEvent(e); });
    });
    source.addEventListener("ping", heard);
    source.addEventListener("resync", function (e) { heard(e); refreshFigures(); });
  }
  connect();
  setInterval(function () {
    if (Date.now() - lastSeen > 40000) { source.close(); connect(); }
  }, 5000);
})();