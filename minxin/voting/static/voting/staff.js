// The officer's pages: confirm the irreversible steps, and keep the offline-entry desk on the keyboard
// (after each ballot the form comes back empty with the cursor in the ID number).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  function focusFirst(root) {
    var first = root.querySelector("[data-entry-form] [data-first]");
    if (!first) return;
    var error = root.querySelector("[role=alert]");
    (error ? root.querySelector("[data-entry-form] input[name=choices]") || first : first).focus();
    if (!error) first.select();
  }

  document.addEventListener("DOMContentLoaded", function () { focusFirst(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirst(event.target); });
})();
