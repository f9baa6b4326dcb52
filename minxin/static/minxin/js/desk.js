/* Keyboard shortcuts for the clerk's window page: a key presses the button that carries data-key.
   A key pressed while the desk is still being swapped in is held until the new desk is ready, so a
   quick "S then F" is never lost. */
(function () {
  "use strict";
  function busy() {
    return document.querySelector("#desk.htmx-swapping, #desk.htmx-settling, #desk.htmx-added, .htmx-request");
  }
  function press(key, attempt) {
    if (busy() && attempt < 30) {
      setTimeout(function () { press(key, attempt + 1); }, 50);
      return;
    }
    var button = document.querySelector('#desk [data-key="' + key + '"]');
    if (button && !button.disabled) { button.click(); }
  }
  /* A button that the hall's rules hold back for a while (no-show before the grace has passed) counts
     down and enables itself; the server refuses it before then anyway. */
  setInterval(function () {
    document.querySelectorAll("#desk [data-enable-in]").forEach(function (button) {
      var left = parseInt(button.getAttribute("data-enable-in"), 10) - 1;
      var shown = button.querySelector("[data-seconds]");
      if (left > 0) {
        button.setAttribute("data-enable-in", String(left));
        if (shown) { shown.textContent = String(left); }
        return;
      }
      button.removeAttribute("data-enable-in");
      button.disabled = false;
      var countdown = button.querySelector(".countdown");
      if (countdown) { countdown.remove(); }
    });
  }, 1000);
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    /* Enter and Space on a focused button, link or summary do what that control does, not a shortcut:
       a clerk who tabs to "Transfer" and presses Enter opens the transfer form. */
    if ((key === "Enter" || key === " ") && target && /^(BUTTON|A|SUMMARY)$/.test(target.tagName)) { return; }
    if (!document.querySelector('#desk [data-key="' + key + '"]') && !busy()) { return; }
    event.preventDefault();
    press(key, 0);
  });
})();
