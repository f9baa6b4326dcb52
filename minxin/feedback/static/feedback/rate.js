/* The public rating form: the "what went wrong" choices only matter for a bad face, so show them then. */
(function () {
  "use strict";
  var form = document.getElementById("rate-form");
  if (!form) { return; }
  var box = document.getElementById("rate-indicators");
  function update() {
    var checked = form.querySelector("input[name='score']:checked");
    box.hidden = !(checked && parseInt(checked.value, 10) <= 2);
  }
  form.querySelectorAll("input[name='score']").forEach(function (input) { input.addEventListener("change", update); });
  update();
})();
