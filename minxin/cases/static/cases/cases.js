/* Cases pages: the Print button, and keyboard shortcuts (a button or link with data-key; on the
   intake form Alt+1…4 choose the outcome, so typing digits in a field never submits). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) { event.preventDefault(); window.print(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.repeat) { return; }
    var typing = event.target && (event.target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName));
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var control;
    if (event.altKey && /^[1-4]$/.test(key)) {
      control = document.querySelector('.outcomes [data-key="' + key + '"]');
    } else if (!event.altKey && !typing && !/^[1-4]$/.test(key)) {
      control = document.querySelector('[data-key="' + key + '"]');
    }
    if (control && !control.disabled) { event.preventDefault(); control.click(); }
  });
})();
