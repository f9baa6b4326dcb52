// The ballot shows its rule as it is filled: how many are chosen, the cost against a budget limit, the
// order for a ranking; at the most allowed, the other boxes wait. No inline script (CSP).
(function () {
  "use strict";

  function paint(root) {
    root.querySelectorAll("[data-colour]").forEach(function (el) {
      el.style.backgroundColor = el.dataset.colour;
    });
  }

  function setUp(form) {
    var counter = form.querySelector("[data-counter]");
    if (!counter) return;
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=choice]"));
    var order = form.querySelector("input[name=order]");
    var min = parseInt(form.dataset.min, 10), max = parseInt(form.dataset.max, 10);
    var limit = form.dataset.budget ? parseFloat(form.dataset.budget) : null;
    var ranked = form.dataset.kind === "ranking";
    var picked = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    counter.hidden = false;
    if (limit !== null) counter.querySelector("[data-total-wrap]").hidden = false;

    function update() {
      var total = 0;
      boxes.forEach(function (box) {
        var rank = box.closest("label").querySelector("[data-rank]");
        var at = picked.indexOf(box.value);
        if (box.checked) total += parseFloat(box.dataset.cost || "0");
        if (rank) rank.textContent = ranked && at >= 0 ? String(at + 1) : "";
        box.closest(".vote-candidate").classList.toggle("is-picked", box.checked);
        box.disabled = !box.checked && picked.length >= max;
      });
      counter.querySelector("[data-count]").textContent = String(picked.length);
      counter.querySelector("[data-total]").textContent = total.toLocaleString();
      var hint = counter.querySelector("[data-hint]");
      var over = limit !== null && total > limit;
      hint.textContent = over ? counter.dataset.over : picked.length < min ? counter.dataset.needMore :
        picked.length >= max ? counter.dataset.full : counter.dataset.ready;
      hint.classList.toggle("is-bad", over || picked.length < min);
      order.value = picked.join(",");
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var at = picked.indexOf(box.value);
        if (box.checked && at < 0) picked.push(box.value);
        if (!box.checked && at >= 0) picked.splice(at, 1);
        update();
      });
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    paint(document);
    var form = document.getElementById("ballot");
    if (form) setUp(form);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) { paint(event.target); });
})();
