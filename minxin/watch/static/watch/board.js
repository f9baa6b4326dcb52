/* The command board for a wall screen: polls the board's JSON every 5 s and draws the posts on a plain
   map (no tiles: ECharts from our static files). Each state has its own colour AND shape AND label, so
   the board reads without colour. A failed poll keeps the last picture and says since when it is old;
   the last answer is kept in localStorage, so even a reload with no network shows something. */
(function () {
  "use strict";
  var root = document.getElementById("watch-board");
  if (!root) return;
  var L = root.dataset;
  var STORE = "minxin-watch-board";
  var STYLE = {
    up: { color: "#1a7f37", symbol: "circle" },
    late: { color: "#9a6700", symbol: "triangle" },
    missed: { color: "#cf222e", symbol: "diamond" },
    escalated: { color: "#8250df", symbol: "rect" },
    paused: { color: "#6e7781", symbol: "emptyCircle" }
  };
  var chart = null;
  var lastOk = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function age(seconds) {
    if (seconds === null || seconds === undefined) return L.lNever;
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }
  function hhmm(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "—";
  }
  function ahead(lat, lon, bearing, km) {
    var r = bearing * Math.PI / 180;
    return [lon + (km * Math.sin(r)) / (111.32 * Math.cos(lat * Math.PI / 180)), lat + (km * Math.cos(r)) / 110.574];
  }
  function circle(lat, lon, metres) {
    var points = [];
    for (var i = 0; i <= 48; i++) points.push(ahead(lat, lon, i * 7.5, metres / 1000));
    return points;
  }

  function option(data) {
    var series = [];
    Object.keys(STYLE).forEach(function (state) {
      var posts = data.posts.filter(function (p) { return p.state === state; });
      series.push({
        name: state, type: "scatter", symbol: STYLE[state].symbol, symbolSize: 22,
        itemStyle: { color: STYLE[state].color, borderColor: "#fff", borderWidth: 2 },
        label: { show: true, position: "right", fontSize: 14, color: "#111",
          formatter: function (p) { return p.data.name + "\n" + p.data.stateLabel; } },
        data: posts.map(function (p) { return { name: p.name, stateLabel: p.state_label, value: [p.lon, p.lat] }; }),
        z: 3
      });
    });
    var rays = [], spots = [], rings = [];
    data.incidents.filter(function (i) { return i.status === "open"; }).forEach(function (incident) {
      incident.reports.forEach(function (r) {
        var km = r.distance_km || 30;
        rays.push({ coords: [[r.post_lon, r.post_lat], ahead(r.post_lat, r.post_lon, r.bearing_deg, km)] });
      });
      if (incident.lat !== null) {
        spots.push({ name: incident.number, value: [incident.lon, incident.lat], uncertainty: incident.uncertainty_m });
        rings.push({ coords: circle(incident.lat, incident.lon, incident.uncertainty_m || 200) });
      }
    });
    series.push({ name: "rays", type: "lines", coordinateSystem: "cartesian2d", polyline: false, data: rays,
      lineStyle: { color: "#cf222e", width: 2, type: "dashed" }, z: 2, silent: true });
    series.push({ name: "rings", type: "lines", coordinateSystem: "cartesian2d", polyline: true, data: rings,
      lineStyle: { color: "#cf222e", width: 1.5, opacity: 0.8 }, z: 2, silent: true });
    series.push({ name: "fire", type: "scatter", symbol: "path://M50 0 61 35 98 35 68 57 79 91 50 70 21 91 32 57 2 35 39 35Z",
      symbolSize: 34, itemStyle: { color: "#cf222e", borderColor: "#000", borderWidth: 1 }, z: 4,
      label: { show: true, position: "top", fontSize: 15, fontWeight: "bold", color: "#cf222e",
        formatter: function (p) { return p.data.name + " " + L.lFire + " ±" + p.data.uncertainty + " m"; } },
      data: spots });
    var lons = [], lats = [];
    data.posts.forEach(function (p) { lons.push(p.lon); lats.push(p.lat); });
    spots.forEach(function (s) { lons.push(s.value[0]); lats.push(s.value[1]); });
    if (!lons.length) { lons = [117.3]; lats = [42.45]; }
    var pad = 0.05;
    var box = { x0: Math.min.apply(null, lons) - pad, x1: Math.max.apply(null, lons) + pad * 3,
      y0: Math.min.apply(null, lats) - pad, y1: Math.max.apply(null, lats) + pad };
    /* Same scale both ways: a degree of longitude is cos(lat) of a degree of latitude. */
    var mid = (box.y0 + box.y1) / 2, k = Math.cos(mid * Math.PI / 180);
    var node = document.getElementById("board-map");
    var aspect = node.clientWidth / Math.max(node.clientHeight, 1);
    var w = (box.x1 - box.x0) * k, h = box.y1 - box.y0;
    if (w / h < aspect) { var extra = (h * aspect - w) / k / 2; box.x0 -= extra; box.x1 += extra; }
    else { var more = (w / aspect - h) / 2; box.y0 -= more; box.y1 += more; }
    return {
      animation: false, backgroundColor: "#f4f1e8",
      grid: { left: 56, right: 16, top: 16, bottom: 40 },
      xAxis: { type: "value", name: L.lEast, nameLocation: "middle", nameGap: 26, min: box.x0, max: box.x1,
        axisLabel: { formatter: function (v) { return v.toFixed(2); } }, splitLine: { lineStyle: { color: "#ddd6c4" } } },
      yAxis: { type: "value", name: L.lNorth, nameLocation: "middle", nameGap: 42, min: box.y0, max: box.y1,
        axisLabel: { formatter: function (v) { return v.toFixed(2); } }, splitLine: { lineStyle: { color: "#ddd6c4" } } },
      series: series
    };
  }

  function table(data) {
    var body = document.getElementById("board-rows");
    body.textContent = "";
    data.posts.forEach(function (p) {
      var tr = el("tr", "watch-row-" + p.state);
      tr.appendChild(el("td", "", p.name));
      var td = el("td");
      var badge = el("span", "watch-state watch-state-" + p.state);
      badge.appendChild(el("span", "watch-shape"));
      badge.appendChild(document.createTextNode(p.state_label));
      td.appendChild(badge);
      if (p.escalation) {
        td.appendChild(el("br"));
        td.appendChild(el("small", p.escalation.acknowledged_at ? "" : "watch-over",
          p.escalation.acknowledged_at ? L.lAck + " " + p.escalation.acknowledged_by + " " + hhmm(p.escalation.acknowledged_at) : L.lUnack));
      }
      if (p.paused_reason) { td.appendChild(el("br")); td.appendChild(el("small", "", p.paused_reason)); }
      tr.appendChild(td);
      tr.appendChild(el("td", "", age(p.age_seconds)));
      tr.appendChild(el("td", p.missed_today ? "watch-over" : "", String(p.missed_today)));
      body.appendChild(tr);
    });
    var fires = document.getElementById("board-fires");
    fires.textContent = "";
    data.incidents.filter(function (i) { return i.status === "open"; }).forEach(function (i) {
      var box = el("a", "watch-fire-card");
      box.href = L.incidentUrl + i.id + "/";
      box.appendChild(el("strong", "", "★ " + i.number));
      var where = i.lat !== null ? i.lat.toFixed(4) + "° N " + i.lon.toFixed(4) + "° E ±" + i.uncertainty_m + " m" : (i.estimate_note || "—");
      box.appendChild(el("span", "", where));
      box.appendChild(el("span", i.acknowledged_at ? "" : "watch-over",
        i.acknowledged_at ? L.lAck + " " + i.acknowledged_by + " " + hhmm(i.acknowledged_at) : L.lUnack));
      fires.appendChild(box);
    });
  }

  function draw(data) {
    if (typeof echarts !== "undefined") {
      var node = document.getElementById("board-map");
      chart = chart || echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option(data), true);
    }
    table(data);
    root.dataset.loaded = "1";
  }

  function poll() {
    fetch(L.src, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (data) {
        lastOk = new Date();
        try { localStorage.setItem(STORE, JSON.stringify({ at: lastOk.toISOString(), data: data })); } catch (e) {}
        document.getElementById("board-offline").hidden = true;
        draw(data);
      })
      .catch(function () {
        var banner = document.getElementById("board-offline");
        banner.hidden = false;
        banner.textContent = L.lOffline + " " + (lastOk ? lastOk.toLocaleTimeString() : "—");
      });
  }

  try {
    var kept = JSON.parse(localStorage.getItem(STORE) || "null");
    if (kept) { lastOk = new Date(kept.at); window.addEventListener("load", function () { if (!root.dataset.loaded) draw(kept.data); }); }
  } catch (e) {}
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
  setInterval(function () {
    document.getElementById("board-clock").textContent = new Date().toLocaleString();
  }, 1000);
  window.addEventListener("load", poll);
  setInterval(poll, 5000);
})();
