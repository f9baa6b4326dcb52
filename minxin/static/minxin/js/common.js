// Behaviour that pages used to write as inline handlers, which the Content-Security-Policy forbids:
//   <select data-auto-submit>             submits its form when changed (the language menu);
//   <button data-print>                   prints the page;
//   <form data-confirm="Question?">       asks before it is submitted.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest && event.target.closest("[data-auto-submit]");
    if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);
})();
