// Charts from data, with no inline script (the pages' Content-Security-Policy allows none).
//
// A chart is an element <div class="chart" data-chart="ID"> beside <script type="application/json"
// id="ID">{…an ECharts option…}</script> (Django's json_script filter writes it). Each page shows the
// same figures in a table next to the chart, so the chart is never the only way to read them.
// data-chart-theme="dark" picks ECharts' dark theme (wall screens). Charts are drawn again after an htmx
// swap and follow the window's size.
(function () {
  "use strict";

  function render(root) {
    if (typeof echarts === "undefined") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var option;
      try {
        option = JSON.parse(source.textContent);
      } catch (error) {
        return;
      }
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, el.dataset.chartTheme || null, { renderer: "svg" });
      chart.setOption(option, true);
    });
  }

  function resizeAll() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  }

  window.minxinCharts = { render: render };
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSwap", function (event) { render(event.target); });
  window.addEventListener("resize", resizeAll);
})();
