/* The command desk from the keyboard: the post list has focus, Alt+1/2/3 pick the status, Enter records;
   the fire fields show only for a fire. After recording, focus returns to the post list. */
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  if (!form) return;
  var fire = form.querySelector(".watch-fire-fields");
  function sync() {
    var status = form.querySelector("input[name=status]:checked");
    var isFire = status && status.value === "fire";
    fire.hidden = !isFire;
    var bearing = form.querySelector("input[name=bearing_deg]");
    if (bearing) bearing.required = !!isFire;
  }
  form.addEventListener("change", sync);
  sync();
  /* Alt+1/2/3 pick the status and Alt+P the post whatever the browser does with accesskey. */
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var statuses = { "1": "normal", "2": "observation", "3": "fire" };
    var key = event.key.toLowerCase();
    var wanted = statuses[key] || statuses[(event.code || "").replace("Digit", "")];
    if (wanted) {
      var radio = form.querySelector("input[name=status][value=" + wanted + "]");
      radio.checked = true;
      sync();
      (wanted === "fire" ? form.querySelector("input[name=bearing_deg]") : radio).focus();
      event.preventDefault();
    } else if (key === "p" || event.code === "KeyP") {
      document.getElementById("desk-post").focus();
      event.preventDefault();
    }
  });
  var post = document.getElementById("desk-post");
  if (post) post.focus();
})();
