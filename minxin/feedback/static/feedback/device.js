/* The window rating device: idle until the hall's event stream says this window finished a number, then
   five big faces for it; a bad face asks what went wrong; then thanks and back to idle. No dependencies. */
(function () {
  "use strict";
  var body = document.body;
  var hall = body.getAttribute("data-hall");
  var windowNumber = body.getAttribute("data-window");
  var facesSeconds = parseInt(body.getAttribute("data-faces-seconds"), 10) || 60;
  var thanksSeconds = parseInt(body.getAttribute("data-thanks-seconds"), 10) || 8;
  var screens = ["fb-idle", "fb-faces", "fb-why", "fb-thanks"];
  var current = null;  /* {ticket, number} being rated */
  var chosen = 0;
  var timer = null;
  var indicator = document.getElementById("live-indicator");

  function show(id) {
    screens.forEach(function (name) { document.getElementById(name).hidden = name !== id; });
    body.setAttribute("data-screen", id);
  }
  function idle() {
    clearTimeout(timer);
    current = null;
    show("fb-idle");
  }
  function later(seconds) {
    clearTimeout(timer);
    timer = setTimeout(idle, seconds * 1000);
  }
  function offer(ticket, number) {
    if (!ticket || (current && current.ticket === ticket)) { return; }
    current = { ticket: ticket, number: number || "" };
    document.querySelectorAll("[data-number]").forEach(function (el) { el.textContent = current.number; });
    document.querySelectorAll(".fb-why-button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    show("fb-faces");
    later(facesSeconds);
  }
  function thanks(bad, errorText) {
    document.querySelector("[data-thanks-bad]").hidden = !bad;
    var error = document.querySelector("[data-thanks-error]");
    error.hidden = !errorText;
    error.textContent = errorText || "";
    show("fb-thanks");
    current = null;
    later(thanksSeconds);
  }
  function send(score, indicators) {
    if (!current) { idle(); return; }
    var payload = { ticket: current.ticket, score: score, indicators: indicators || [] };
    fetch(body.getAttribute("data-rate-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": body.getAttribute("data-csrf") },
      body: JSON.stringify(payload)
    }).then(function (response) {
      if (response.status === 201 || response.status === 409) { thanks(score <= 2, ""); return null; }
      return response.json().then(function (data) {
        thanks(false, (data && data.error && data.error.message) || "");
      });
    }).catch(function () { thanks(false, ""); });
  }

  document.querySelectorAll(".fb-face-button").forEach(function (button) {
    button.addEventListener("click", function () {
      chosen = parseInt(button.getAttribute("data-score"), 10);
      if (chosen <= 2) { show("fb-why"); later(facesSeconds); } else { send(chosen, []); }
    });
  });
  document.querySelectorAll(".fb-why-button").forEach(function (button) {
    button.addEventListener("click", function () {
      button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
      later(facesSeconds);
    });
  });
  document.querySelector("[data-send]").addEventListener("click", function () {
    var picked = [];
    document.querySelectorAll(".fb-why-button[aria-pressed='true']").forEach(function (b) {
      picked.push(b.getAttribute("data-indicator"));
    });
    send(chosen, picked);
  });
  document.querySelector("[data-back]").addEventListener("click", function () { show("fb-faces"); later(facesSeconds); });

  function pending() {
    fetch(body.getAttribute("data-pending-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.ticket && !current) { offer(data.ticket, data.number); } })
      .catch(function () {});
  }
  function refreshClerk() {
    fetch(body.getAttribute("data-clerk-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { document.getElementById("fb-clerk").innerHTML = html; } })
      .catch(function () {});
  }
  function connect() {
    var source = new EventSource("/api/v1/halls/" + encodeURIComponent(hall) + "/events");
    source.addEventListener("finished", function (event) {
      var data = JSON.parse(event.data);
      if (String(data.window) === windowNumber) { offer(data.ticket, data.number); }
    });
    source.addEventListener("window", function (event) {
      var data = JSON.parse(event.data);
      if (String(data.window) === windowNumber) { refreshClerk(); }
    });
    source.onopen = function () { if (indicator) { indicator.hidden = true; } pending(); };
    source.onerror = function () { if (indicator) { indicator.hidden = false; } };
  }
  show("fb-idle");
  if (window.EventSource) { connect(); } else { setInterval(pending, 5000); }
  setInterval(refreshClerk, 300000);
})();
