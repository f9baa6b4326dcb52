/* Keyboard shortcuts for the clerk's window page: a key presses the button that carries data-key. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var button = document.querySelector('#desk [data-key="' + (key === " " ? " " : key) + '"]');
    if (!button || button.disabled) { return; }
    event.preventDefault();
    button.click();
  });
})();
