/* htmx leaves a 4xx answer unswapped, so a refusal the server explains (a desk action refused with
   409, a wrong sign-in code with 422) would show nothing. Inside an element marked data-swap-errors the
   answer is swapped like a success: those views answer their refusals with the form and its message. */
document.addEventListener("htmx:beforeSwap", function (event) {
  "use strict";
  var status = event.detail.xhr.status;
  if (status >= 400 && status < 500 && event.detail.elt.closest && event.detail.elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
