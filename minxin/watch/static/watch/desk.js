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
  var post = document.getElementById("desk-post");
  if (post) post.focus();
})();
