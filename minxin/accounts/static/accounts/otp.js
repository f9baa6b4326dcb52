// The sign-in code step: count the seconds until a new code may be asked for (the server enforces the
// limit; this only shows it). The resend button appears when the count reaches zero (CSS does that too,
// without JavaScript). Runs again when htmx swaps the form in.
(function () {
  "use strict";
  function start(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (box) {
      if (box.dataset.countdownStarted) return;
      box.dataset.countdownStarted = "1";
      var left = parseInt(box.dataset.countdown, 10) || 0;
      var shown = box.querySelector("[data-countdown-seconds]");
      var timer = window.setInterval(function () {
        left -= 1;
        if (shown) shown.textContent = String(Math.max(left, 0));
        if (left <= 0) window.clearInterval(timer);
      }, 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (event) { start(event.target); });
})();
