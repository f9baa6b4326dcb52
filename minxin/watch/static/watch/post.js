/* The post's phone page. A report is first put in a queue kept on the phone (localStorage), with the
   time it was made and an id of its own, then sent; what cannot be sent (no signal) stays queued and
   goes when the signal returns (the "online" event, or a retry every 20 s). The server uses the id to
   keep a report sent twice once, and `made_at` to count it for the slot it was made in. */
(function () {
  "use strict";
  var root = document.getElementById("watch-post");
  if (!root) return;
  var key = "minxin-watch-queue-" + root.dataset.post;
  var status = document.getElementById("net-status");
  var pendingList = document.getElementById("pending-list");
  var sending = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(function () {});
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(key, JSON.stringify(queue)); render(queue); }
  function say(text, kind) {
    status.textContent = text;
    status.className = "watch-net watch-net-" + (kind || "info");
  }
  function render(queue) {
    pendingList.textContent = "";
    queue.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "watch-pending";
      li.textContent = new Date(item.made_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) +
        " · " + item.label + " · " + root.dataset.msgPending;
      pendingList.appendChild(li);
    });
  }

  function flush() {
    if (sending) return;
    var queue = load();
    if (!queue.length) return;
    sending = true;
    var item = queue[0];
    fetch(root.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        sending = false;
        if (response.status === 201) {
          save(load().filter(function (q) { return q.body.client_id !== item.body.client_id; }));
          say(root.dataset.msgSent + " · " + new Date(item.made_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + " · " + item.label, "ok");
          flush();
        } else if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 429) {
          /* Refused for good (bad input, too old): drop it and say why. */
          save(load().filter(function (q) { return q.body.client_id !== item.body.client_id; }));
          say(root.dataset.msgRefused + ": " + ((data.error && data.error.message) || response.status), "error");
          flush();
        } else {
          say(root.dataset.msgQueued, "warn");
        }
      });
    }).catch(function () {
      sending = false;
      say(root.dataset.msgQueued, "warn");
    });
  }

  function number(value) { return value === "" || value === undefined ? null : Number(value); }

  function submit(form, event) {
    event.preventDefault();
    var body = { status: form.dataset.status, channel: "app", client_id: uuid(), made_at: new Date().toISOString() };
    var data = new FormData(form);
    ["note", "weather", "wind", "smoke_colour", "spread"].forEach(function (name) {
      if (data.has(name)) body[name] = String(data.get(name) || "");
    });
    ["visibility_m", "bearing_deg", "distance_km"].forEach(function (name) {
      if (data.has(name)) body[name] = number(data.get(name));
    });
    if (body.visibility_m !== null && body.visibility_m !== undefined) body.visibility_m = Math.round(body.visibility_m);
    var label = (form.querySelector("button[type=submit]") || {}).textContent || body.status;
    var queue = load();
    queue.push({ body: body, made_at: body.made_at, label: label.trim() });
    save(queue);
    form.reset();
    var details = form.closest("details");
    if (details) details.open = false;
    flush();
  }

  document.querySelectorAll("#watch-post form[data-status]").forEach(function (form) {
    form.addEventListener("submit", function (event) { submit(form, event); });
  });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  render(load());
  flush();
})();
