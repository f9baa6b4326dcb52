/* Live refresh for the ticket page and the hall status page: listen to the hall's event stream and
   ask htmx to reload the marked region (debounced), with an offline indicator. No dependencies. */
(function () {
  "use strict";
  document.querySelectorAll("[data-live-hall]").forEach(function (region) {
    var hall = region.getAttribute("data-live-hall");
    var indicator = document.getElementById("live-indicator");
    var timer = null;
    /* The region swaps itself (outerHTML), so the element found at load is gone after the first
       refresh: look up the current one every time. */
    function current() {
      return (region.id && document.getElementById(region.id)) || region;
    }
    function refresh() {
      clearTimeout(timer);
      timer = setTimeout(function () { window.htmx && window.htmx.trigger(current(), "live-refresh"); }, 250);
    }
    function connect() {
      var source = new EventSource("/api/v1/halls/" + encodeURIComponent(hall) + "/events");
      ["issued", "called", "recalled", "no_show", "finished", "transferred", "checked_in", "cancelled",
       "lapsed", "rejoined", "started"].forEach(function (type) { source.addEventListener(type, refresh); });
      source.onopen = function () { if (indicator) { indicator.hidden = true; } };
      source.onerror = function () { if (indicator) { indicator.hidden = false; } };
    }
    if (window.EventSource) { connect(); }
    setInterval(refresh, 60000);  /* a safety net if a message was missed */
  });
})();
