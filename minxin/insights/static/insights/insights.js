// Dashboard pages: give each chart the height its figures need (data-height) before charts.js draws it.
(function () {
  "use strict";
  document.querySelectorAll("[data-chart][data-height]").forEach(function (el) {
    el.style.height = el.dataset.height + "px";
  });
})();
