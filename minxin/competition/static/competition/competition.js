// Competition pages: the inspection checklist's steppers and GPS fix, print buttons.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-step]");
    if (button) {
      var input = document.getElementById(button.getAttribute("data-for"));
      var value = parseInt(input.value || "0", 10) + parseInt(button.getAttribute("data-step"), 10);
      input.value = String(Math.max(0, Math.min(50, value)));
      input.dispatchEvent(new Event("input", { bubbles: true }));
      event.preventDefault();
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
  var status = document.getElementById("gps-status");
  if (status && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      function (position) {
        document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
        document.getElementById("accuracy").value = Math.round(position.coords.accuracy);
        status.textContent = status.getAttribute("data-ok") + " " + position.coords.latitude.toFixed(5) + ", " +
          position.coords.longitude.toFixed(5) + " (±" + Math.round(position.coords.accuracy) + " m)";
      },
      function () { status.textContent = status.getAttribute("data-failed"); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }
  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-deduction]");
    if (!input) { return; }
    var total = 0;
    document.querySelectorAll("[data-deduction]").forEach(function (each) {
      var lineMax = parseFloat(each.getAttribute("data-max"));
      total += Math.min(lineMax, (parseInt(each.value || "0", 10) || 0) * parseFloat(each.getAttribute("data-deduction")));
    });
    var out = document.getElementById("deduction-total");
    if (out) { out.textContent = total.toFixed(2); }
  });
})();
