// The province wall screen. Draws the figures the page was rendered with, then asks data.json for new
// ones every few seconds. A failed refresh keeps the last figures on screen and says since when they
// are shown, so a network drop never blanks the wall. No interaction is needed.
(function () {
  "use strict";

  var body = document.body;
  var words = JSON.parse(document.getElementById("wall-words").textContent);
  var data = JSON.parse(document.getElementById("wall-initial").textContent);
  var refreshMs = (parseInt(body.dataset.refresh, 10) || 5) * 1000;
  var mapReady = false;
  var charts = {};

  function field(name) { return document.querySelector('[data-w="' + name + '"]'); }
  function text(name, value) {
    var el = field(name);
    if (el) el.textContent = value === null || value === undefined ? words.none : String(value);
  }
  function cell(tag, value, scope) {
    var el = document.createElement(tag);
    if (scope) el.scope = scope;
    el.textContent = value === null || value === undefined ? words.none : String(value);
    return el;
  }
  function fillTable(name, rows, columns) {
    var table = field(name);
    if (!table) return;
    var tbody = table.tBodies[0];
    var fresh = document.createElement("tbody");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      columns.forEach(function (column, index) {
        tr.appendChild(cell(index === 0 ? "th" : "td", row[column], index === 0 ? "row" : null));
      });
      fresh.appendChild(tr);
    });
    table.replaceChild(fresh, tbody);
  }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      var value = values[key];
      return value === null || value === undefined ? words.none : String(value);
    });
  }

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    if (!charts[id]) charts[id] = echarts.init(el, "dark", { renderer: "canvas" });
    return charts[id];
  }

  // A city's red flags as shapes and counts ("■1 ●2"): told apart by shape, not colour alone.
  function flagText(code) {
    var comp = data.competition || {};
    var counts = (comp.by_city || {})[code];
    if (!counts) return "";
    return (comp.categories || []).filter(function (c) { return counts[c.code]; })
      .map(function (c) { return c.shape + counts[c.code]; }).join(" ");
  }

  function drawHonours() {
    var comp = data.competition || {};
    var has = !!(comp.holders || comp.ranking);
    document.body.classList.toggle("no-honours", !has);
    if (!has) return;
    var flags = field("flags");
    if (flags) {
      var fresh = document.createElement("tbody");
      (comp.by_category || []).forEach(function (row) {
        var tr = document.createElement("tr");
        var th = cell("th", " " + row.label + " " + row.count, "row");
        var shape = document.createElement("span");
        shape.className = "flag-" + row.code;
        shape.textContent = row.shape;
        th.insertBefore(shape, th.firstChild);
        tr.appendChild(th);
        tr.appendChild(cell("td", row.places));
        fresh.appendChild(tr);
      });
      flags.replaceChild(fresh, flags.tBodies[0]);
    }
    var ranking = comp.ranking || {};
    text("ranking-label", ranking.label || "");
    fillTable("ranking", ranking.rows || [], ["rank", "unit", "total"]);
  }

  function drawMap() {
    var map = chart("wall-map-chart");
    if (!map || !mapReady) return;
    var byCode = {};
    var max = 1;
    data.cities.forEach(function (city) { byCode[city.code] = city; max = Math.max(max, city.served); });
    var size = window.innerHeight / 1080;
    map.setOption({
      backgroundColor: "transparent",
      animation: false,
      aria: { enabled: true },
      visualMap: {
        min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
        itemWidth: 14 * size, itemHeight: 140 * size, text: [String(max), "0"],
        textStyle: { color: "#e8eef9", fontSize: 16 * size },
        inRange: { color: ["#17325c", "#1f6feb", "#7cc4ff"] }
      },
      series: [{
        type: "map", map: "hebei-schematic", roam: false, selectedMode: false,
        silent: true, layoutCenter: ["50%", "46%"], layoutSize: "92%",
        itemStyle: { borderColor: "#0b1426", borderWidth: 2 * size },
        label: {
          show: true, color: "#ffffff", fontSize: 18 * size, lineHeight: 24 * size,
          textBorderColor: "#0b1426", textBorderWidth: 3 * size,
          formatter: function (params) {
            var city = byCode[params.name];
            if (!city) return params.name;
            var flags = flagText(city.code);
            return city.name.replace(/市$/, "") + "\n" + city.served + (flags ? " " + flags : "");
          }
        },
        data: data.cities.map(function (city) { return { name: city.code, value: city.served }; })
      }]
    }, true);
  }

  function drawTrend() {
    var trend = chart("wall-trend-chart");
    if (!trend) return;
    var size = window.innerHeight / 1080;
    var font = 15 * size;
    trend.setOption({
      backgroundColor: "transparent",
      animation: false,
      aria: { enabled: true },
      legend: { top: 0, textStyle: { color: "#e8eef9", fontSize: font } },
      grid: { left: 56 * size, right: 48 * size, top: 34 * size, bottom: 28 * size },
      xAxis: { type: "category", data: data.trend.map(function (d) { return d.date.slice(5); }),
               axisLabel: { fontSize: font, color: "#9cb0cf" } },
      yAxis: [{ type: "value", axisLabel: { fontSize: font, color: "#9cb0cf" }, splitLine: { lineStyle: { color: "#23395f" } } },
              { type: "value", axisLabel: { fontSize: font, color: "#9cb0cf" }, splitLine: { show: false } }],
      series: [
        { name: words.served, type: "bar", data: data.trend.map(function (d) { return d.served; }), itemStyle: { color: "#1f6feb" } },
        { name: words.wait, type: "line", yAxisIndex: 1, symbol: "triangle", symbolSize: 8 * size,
          lineStyle: { width: 3 * size, type: "dashed" }, itemStyle: { color: "#ffb347" },
          data: data.trend.map(function (d) { return d.wait_mean === null ? null : Number(d.wait_mean); }) }
      ]
    }, true);
  }

  function drawModules() {
    var box = field("modules");
    if (!box) return;
    box.textContent = "";
    document.body.classList.toggle("no-modules", !Object.keys(data.modules || {}).length);
    Object.keys(data.modules || {}).forEach(function (name) {
      var panel = data.modules[name];
      var section = document.createElement("div");
      section.className = "module";
      section.dataset.module = name;
      var h = document.createElement("h2");
      h.textContent = panel.title;
      section.appendChild(h);
      var table = document.createElement("table");
      table.className = "wall-table";
      if (panel.header) {
        var head = table.createTHead().insertRow();
        panel.header.forEach(function (label) { head.appendChild(cell("th", label, "col")); });
      }
      var tbody = document.createElement("tbody");
      (panel.rows || []).forEach(function (row) {
        var tr = document.createElement("tr");
        row.forEach(function (value, index) {
          var td = cell(index === 0 ? "th" : "td", value, index === 0 ? "row" : null);
          if (panel.lights && index === row.length - 1) td.className = "light light-" + panel.lights[tbody.rows.length];
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      section.appendChild(table);
      box.appendChild(section);
    });
  }

  function render() {
    var totals = data.totals;
    ["issued", "served", "waiting_now", "windows_open", "wait_mean", "wait_p90"].forEach(function (name) {
      text(name, totals[name]);
    });
    text("date", data.date);
    fillTable("longest", data.longest_waits, ["hall", "wait_mean", "waiting_now"]);
    fillTable("cities", data.cities.map(function (city) {
      var row = Object.assign({}, city);
      row.flags = flagText(city.code) || null;
      return row;
    }), ["name", "served", "wait_mean", "waiting_now", "windows_open", "flags"]);
    text("summary", format(words.summary, {
      served: totals.served, issued: totals.issued, waiting: totals.waiting_now,
      wait: totals.wait_mean, p90: totals.wait_p90
    }));
    drawModules();
    drawHonours();
    drawMap();
    drawTrend();
  }

  function status(live) {
    var el = field("status");
    if (!el) return;
    el.classList.toggle("offline", !live);
    text("status-text", live ? words.live : words.lost + " " + clockOf(data.generated_at));
  }

  function refresh() {
    fetch(body.dataset.source, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (fresh) { data = fresh; render(); tick(); status(true); })
      .catch(function () { status(false); })
      .then(function () { window.setTimeout(refresh, refreshMs); });
  }

  function clockOf(iso) {
    // The figures' time in the wall's own zone (the province's), whatever the display's zone is.
    try {
      return new Date(iso).toLocaleTimeString("zh-CN", { timeZone: data.zone, hour12: false });
    } catch (error) {
      return new Date(iso).toLocaleTimeString();
    }
  }

  function tick() {
    text("time", clockOf(data.generated_at));
  }

  function loadMap() {
    fetch(body.dataset.map)
      .then(function (response) { return response.json(); })
      .then(function (geo) {
        if (typeof echarts === "undefined") return;
        // Regions are matched by their code (the adcode), not by a name that could be spelt otherwise.
        geo.features.forEach(function (feature) { feature.properties.name = String(feature.properties.adcode); });
        echarts.registerMap("hebei-schematic", geo);
        mapReady = true;
        drawMap();
      })
      .catch(function () { /* the city table shows the same figures */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    render();
    loadMap();
    tick();
    window.setTimeout(refresh, refreshMs);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
      drawMap();
      drawTrend();
    });
  });
})();
