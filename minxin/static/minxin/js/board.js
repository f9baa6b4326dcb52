/* Calling board: follows the hall's event stream, shows each call, chimes and speaks it in Chinese with
   the browser's own (offline) speech synthesis. Small and dependency-free on purpose. */
(function () {
  "use strict";
  var body = document.body;
  var data = body.dataset;
  var MAX_CALLS = 8;
  var LINES_EVERY_MS = 30000;
  var DIGITS = "零一二三四五六七八九";

  function json(id) {
    var node = document.getElementById(id);
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }
  function fill(pattern, values) {
    return pattern.replace(/\{(number|window)\}/g, function (all, name) { return values[name] == null ? "" : values[name]; });
  }
  function $(selector, root) { return (root || document).querySelector(selector); }

  var calls = json("board-calls") || [];
  var serviceNames = json("board-services") || {};
  var soundOn = data.sound === "1";

  // ---- Clock in the hall's time zone.
  var clock = $("[data-clock]");
  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: data.timeZone });
  } catch (e) {
    timeFormat = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  }
  function tick() { if (clock) clock.textContent = timeFormat.format(new Date()); }
  tick();
  setInterval(tick, 1000);

  // ---- Drawing.
  function decorate(call) {
    var window_ = call.window == null ? "" : String(call.window);
    call.window_label = window_ ? fill(data.tWindow, { window: window_ }) : "";
    call.sentence = window_
      ? fill(data.tCall, { number: call.number, window: window_ })
      : fill(data.tCallPlain, { number: call.number });
    return call;
  }
  function restart(node, name) {
    node.classList.remove(name);
    void node.offsetWidth; // restart the CSS animation
    node.classList.add(name);
  }
  function render(flash) {
    var latest = $("[data-latest]");
    var top = calls[0];
    latest.classList.toggle("is-idle", !top);
    latest.querySelectorAll("[data-f]").forEach(function (field) {
      var name = field.getAttribute("data-f");
      field.textContent = top ? (top[name] || "") : (name === "sentence" ? data.tIdle : "");
    });
    var cells = document.querySelectorAll("[data-calls] > li");
    cells.forEach(function (cell, index) {
      var call = calls[index];
      cell.className = "board-call" + (call ? (index === 0 ? " is-latest" : "") : " is-empty");
      cell.children[0].textContent = call ? call.number : "";
      cell.children[1].textContent = call ? call.window_label : "";
    });
    if (flash && top) {
      restart(latest, "flash");
      if (cells[0]) restart(cells[0], "flash");
    }
  }
  function renderLines(services) {
    var list = $("[data-lines]");
    if (!list || !services) return;
    list.textContent = "";
    services.forEach(function (line) {
      serviceNames[line.service] = line.name;
      var item = document.createElement("li");
      item.className = "board-line";
      item.setAttribute("data-service", line.service);
      [["line-prefix", line.queue], ["line-name", line.name], ["line-count", String(line.waiting)]].forEach(function (part) {
        var span = document.createElement("span");
        span.className = part[0];
        span.textContent = part[1];
        item.appendChild(span);
      });
      list.appendChild(item);
    });
  }
  calls = calls.map(decorate);

  // ---- Speaking: "请 A 零 一 二 号，到 三 号窗口", twice, after the chime; one announcement at a time.
  function spellNumber(text) {
    return String(text).split("").map(function (ch) {
      return /[0-9]/.test(ch) ? DIGITS[+ch] : ch;
    }).filter(function (ch) { return ch.trim(); }).join(" ");
  }
  function chineseInteger(n) {
    if (n < 10) return DIGITS[n];
    var tens = Math.floor(n / 10), ones = n % 10;
    return (tens === 1 ? "" : DIGITS[tens]) + "十" + (ones ? DIGITS[ones] : "");
  }
  function windowWords(window_) {
    var text = String(window_);
    return /^[0-9]{1,2}$/.test(text) ? chineseInteger(parseInt(text, 10)) : spellNumber(text);
  }
  function spokenText(call) {
    var text = "请 " + spellNumber(call.number) + " 号";
    if (call.window != null && call.window !== "") text += "，到 " + windowWords(call.window) + " 号窗口";
    return text;
  }
  window.minxinBoard = { spellNumber: spellNumber, spokenText: spokenText }; // for tests and the curious

  var synth = window.speechSynthesis;
  var voice = null;
  function pickVoice() {
    if (!synth || voice) return voice;
    var voices = synth.getVoices() || [];
    function find(test) { for (var i = 0; i < voices.length; i++) if (test(voices[i])) return voices[i]; return null; }
    function lang(v) { return (v.lang || "").replace("_", "-").toLowerCase(); }
    voice = find(function (v) { return lang(v) === "zh-cn" && v.localService; })
      || find(function (v) { return lang(v) === "zh-cn"; })
      || find(function (v) { return /^(zh|cmn)/.test(lang(v)) && v.localService; })
      || find(function (v) { return /^(zh|cmn)/.test(lang(v)); });
    return voice;
  }
  if (synth && "onvoiceschanged" in synth) synth.addEventListener("voiceschanged", function () { voice = null; pickVoice(); warnVoice(); });

  // A screen without a Chinese voice would read the numbers in another language or not at all: say so on
  // the board (once the voices had time to load), rather than stay silent.
  var voiceChecked = false;
  function warnVoice() {
    var warning = $("[data-voice-warning]");
    if (!warning) return;
    var missing = !synth || typeof SpeechSynthesisUtterance === "undefined" || !pickVoice();
    warning.hidden = !(soundOn && missing);
    voiceChecked = true;
  }
  setTimeout(warnVoice, 3000);
  window.minxinBoard.voiceChecked = function () { return voiceChecked; };

  var chime = $("[data-chime]");
  var pending = [];
  var busy = false;

  function once(callback) {
    var done = false;
    return function () { if (!done) { done = true; callback(); } };
  }
  function playChime(next) {
    var finish = once(next);
    if (!chime) return finish();
    setTimeout(finish, 2500); // the chime lasts 1.4 s; never wait for an "ended" that does not come
    try {
      chime.currentTime = 0;
      chime.onended = finish;
      var playing = chime.play();
      if (playing && playing.catch) playing.catch(finish);
    } catch (e) { finish(); }
  }
  function say(text, times, next) {
    if (!synth || typeof SpeechSynthesisUtterance === "undefined" || times <= 0) return next();
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    var chosen = pickVoice();
    try { if (chosen) utterance.voice = chosen; } catch (e) { /* not a SpeechSynthesisVoice: the lang decides */ }
    var finish = once(function () { setTimeout(function () { say(text, times - 1, next); }, 600); });
    utterance.onend = finish;
    utterance.onerror = finish;
    setTimeout(finish, 2500 + text.length * 400); // some engines never fire "end"
    try { synth.speak(utterance); } catch (e) { finish(); }
  }
  // ---- No Chinese voice on this screen: the recorded pieces we ship (minxin/static/minxin/voice/, made
  // with espeak-ng by scripts/make_voice.py), played one after the other: qing A 0 0 2 hao dao 1 haochuangkou.
  var voiceFiles = json("board-voice") || {};
  function windowPieces(window_) {
    var text = String(window_);
    if (!/^[0-9]{1,2}$/.test(text)) return text.split("");
    var n = parseInt(text, 10), tens = Math.floor(n / 10), ones = n % 10;
    if (n < 10) return [String(n)];
    return (tens === 1 ? [] : [String(tens)]).concat(["shi"], ones ? [String(ones)] : []);
  }
  function voicePieces(call) {
    var pieces = ["qing"].concat(String(call.number).toUpperCase().split(""), ["hao"]);
    if (call.window != null && call.window !== "") pieces = pieces.concat(["dao"], windowPieces(call.window), ["haochuangkou"]);
    return pieces.filter(function (name) { return voiceFiles[name]; });
  }
  window.minxinBoard.voicePieces = voicePieces;
  var player = null;
  function playPieces(pieces, times, next) {
    if (!pieces.length || times <= 0) return next();
    if (!player) player = new Audio();
    var index = 0;
    function step() {
      if (index >= pieces.length) return setTimeout(function () { playPieces(pieces, times - 1, next); }, 600);
      var finish = once(function () { index += 1; step(); });
      setTimeout(finish, 3000); // a piece lasts under a second; never wait for an "ended" that does not come
      try {
        player.onended = finish;
        player.onerror = finish;
        player.src = voiceFiles[pieces[index]];
        var playing = player.play();
        if (playing && playing.catch) playing.catch(finish);
      } catch (e) { finish(); }
    }
    step();
  }
  function hasChineseVoice() {
    return !!(synth && typeof SpeechSynthesisUtterance !== "undefined" && pickVoice());
  }
  function speak(call, times, next) {
    if (hasChineseVoice()) say(spokenText(call), times, next);
    else playPieces(voicePieces(call), times, next);
  }

  function pump() {
    if (busy || !pending.length) return;
    busy = true;
    var call = pending.shift();
    var times = pending.length >= 2 ? 1 : 2; // a backlog is spoken once each, to catch up
    playChime(function () {
      speak(call, times, function () { busy = false; setTimeout(pump, 300); });
    });
  }
  function announce(call) {
    if (!soundOn) return;
    pending.push(call);
    if (pending.length > 6) pending.splice(0, pending.length - 6);
    pump();
  }

  // ---- Sound needs a tap first; ?sound=1 (with Chromium's --autoplay-policy=no-user-gesture-required) skips it.
  var overlay = $("[data-sound-overlay]");
  var enable = $("[data-sound-enable]");
  if (enable) {
    enable.addEventListener("click", function () {
      soundOn = true;
      if (overlay) overlay.hidden = true;
      if (chime) {
        chime.muted = true;
        var primed = chime.play();
        var unmute = function () { chime.pause(); chime.currentTime = 0; chime.muted = false; };
        if (primed && primed.then) primed.then(unmute, unmute); else unmute();
      }
      pickVoice();
      setTimeout(warnVoice, 1500);
    });
  }

  // ---- Live calls, and resynchronising after a gap.
  var offlineTimer = null;
  var streamDown = false;
  var fetchFailed = false;
  function showOffline() {
    var flag = $("[data-offline]");
    if (flag) flag.hidden = !(streamDown || fetchFailed);
  }
  function refresh(withCalls) {
    if (!window.fetch) return;
    fetch(data.queueUrl, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (state) {
        fetchFailed = false;
        showOffline();
        renderLines(state.services);
        if (withCalls && state.recent_calls) {
          calls = state.recent_calls.slice(0, MAX_CALLS).map(function (c) {
            return decorate({ number: c.number, window: c.window, window_name: c.window_name, service: c.service });
          });
          render(false);
        }
      })
      .catch(function () { fetchFailed = true; showOffline(); });
  }
  var linesSoon = null;
  function refreshLinesSoon() {
    if (!linesSoon) linesSoon = setTimeout(function () { linesSoon = null; refresh(false); }, 3000);
  }
  function onCall(event) {
    var payload;
    try { payload = JSON.parse(event.data); } catch (e) { return; }
    var call = decorate({
      number: payload.number,
      window: payload.window,
      window_name: payload.window_name,
      service: serviceNames[payload.service] || payload.service || ""
    });
    calls = [call].concat(calls.filter(function (c) { return c.number !== call.number; })).slice(0, MAX_CALLS);
    render(true);
    announce(call);
    refreshLinesSoon();
  }
  var source = null;
  var hadError = false;
  function connect() {
    if (!window.EventSource) return;
    source = new EventSource(data.eventsUrl);
    source.onopen = function () {
      body.setAttribute("data-stream", "open");
      clearTimeout(offlineTimer);
      offlineTimer = null;
      streamDown = false;
      showOffline();
      if (hadError) { hadError = false; refresh(true); } // calls may have been missed meanwhile
    };
    source.onerror = function () {
      body.setAttribute("data-stream", "error");
      hadError = true;
      // A stream that ends and reconnects within a few seconds is normal; only a longer gap is "offline".
      if (!offlineTimer) offlineTimer = setTimeout(function () { streamDown = true; showOffline(); }, 4000);
      if (source.readyState === EventSource.CLOSED) { // the server refused: retry ourselves
        source.close();
        setTimeout(connect, 5000);
      }
    };
    source.addEventListener("called", onCall);
    source.addEventListener("recalled", onCall);
    ["issued", "checked_in", "no_show", "rejoined", "cancelled", "lapsed", "transferred"].forEach(function (type) {
      source.addEventListener(type, refreshLinesSoon);
    });
  }
  render(false);
  connect();
  setInterval(function () { refresh(false); }, LINES_EVERY_MS);
})();
