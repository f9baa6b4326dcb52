/* Kiosk pages, no dependencies.
   - The kiosk: clock, "what to bring" dialogs, one tap = one number, an on-screen keypad for check-in,
     and back to a fresh page when left alone.
   - The printed ticket: print on load (unless ?noprint=1), then count down back to the kiosk. */
(function () {
  "use strict";
  var body = document.body;
  var kioskUrl = body.getAttribute("data-kiosk-url") || "/";

  if (body.classList.contains("kiosk-ticket-page")) {
    ticketPage();
    return;
  }

  var zone = body.getAttribute("data-time-zone") || undefined;
  var IDLE_RELOAD_MS = (parseInt(body.getAttribute("data-idle-seconds") || "60", 10) || 60) * 1000;
  var lastTouch = Date.now();

  // A result page answers a POST: make a refresh load the kiosk, never resend the form.
  if (location.pathname !== kioskUrl && history.replaceState) history.replaceState(null, "", kioskUrl);

  // Clock in the hall's time zone.
  var clock = document.querySelector("[data-clock]");
  var format;
  try {
    format = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone });
  } catch (e) {
    format = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  }
  function tick() { if (clock) clock.textContent = format.format(new Date()); }
  tick();
  setInterval(tick, 1000);

  // "What to bring" dialogs.
  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (opener) { event.preventDefault(); openDialog(opener.getAttribute("data-dialog")); return; }
    var closer = event.target.closest("[data-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog && dialog.open) { event.preventDefault(); dialog.close(); }
      return;
    }
    if (event.target.tagName === "DIALOG") event.target.close(); // a tap on the backdrop
  });

  // One tap, one number: lock every service button once a form is sent (the server also deduplicates).
  var sent = false;
  document.querySelectorAll(".kiosk-take-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
      var button = form.querySelector(".kiosk-take");
      if (button) button.classList.add("is-pressed");
      setTimeout(function () {
        document.querySelectorAll(".kiosk-take").forEach(function (each) { each.disabled = true; });
      }, 0);
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) location.replace(kioskUrl); // never reuse a page restored from the cache
  });

  // On-screen keypad for the check-in form (touch screens often have no keyboard).
  var keypad = document.querySelector("[data-keypad]");
  var numberInput = document.getElementById("checkin-number");
  var phoneInput = document.getElementById("checkin-phone");
  var target = numberInput;
  // A portrait kiosk shows the keypad once a check-in field is touched, so that 取号 and 签到 fit the screen.
  var portrait = window.matchMedia("(orientation: portrait) and (min-width: 700px)").matches;
  if (keypad && numberInput && phoneInput) {
    keypad.hidden = portrait;
    [numberInput, phoneInput].forEach(function (input) {
      input.addEventListener("focus", function () {
        keypad.hidden = false;
        var submit = input.form && input.form.querySelector("[type=submit]");
        if (submit && submit.scrollIntoView) submit.scrollIntoView({ block: "nearest" });
      });
    });
    [numberInput, phoneInput].forEach(function (input) {
      if (window.matchMedia("(pointer: coarse)").matches) input.setAttribute("inputmode", "none");
      input.addEventListener("focus", function () { target = input; });
    });
    keypad.addEventListener("pointerdown", function (event) {
      if (event.target.closest(".key")) event.preventDefault(); // keep the focus in the field
    });
    keypad.addEventListener("click", function (event) {
      var key = event.target.closest(".key");
      if (!key) return;
      var value = key.getAttribute("data-key");
      if (value === "back") {
        target.value = target.value.slice(0, -1);
      } else if (value === "clear") {
        numberInput.value = "";
        phoneInput.value = "";
        target = numberInput;
      } else if (/^[A-Z]+$/.test(value)) {
        target = numberInput;
        numberInput.value = value;
      } else if (target.maxLength <= 0 || target.value.length < target.maxLength) {
        target.value += value;
        if (target === numberInput && /^[A-Z]{1,3}\d{3}$/.test(target.value)) target = phoneInput;
      }
      target.focus({ preventScroll: true });
    });
  }

  // The booking check-in: a scanner types the booking's QR (a URL ending in its code) into the code
  // field and presses Enter; the keypad types codes (letters and digits) or the phone's last 4 digits.
  var bookingKeypad = document.querySelector("[data-booking-keypad]");
  var codeInput = document.getElementById("booking-code");
  var lastFour = document.getElementById("booking-phone");
  var bookingTarget = codeInput;
  if (bookingKeypad && codeInput && lastFour) {
    // One keypad on screen at a time: the one of the form being filled in.
    [codeInput, lastFour].forEach(function (input) {
      if (window.matchMedia("(pointer: coarse)").matches) input.setAttribute("inputmode", "none");
      input.addEventListener("focus", function () {
        bookingTarget = input;
        bookingKeypad.hidden = false;
        if (keypad) keypad.hidden = true;
      });
    });
    [numberInput, phoneInput].forEach(function (input) {
      if (input) input.addEventListener("focus", function () {
        bookingKeypad.hidden = true;
        if (keypad) keypad.hidden = false;
      });
    });
    bookingKeypad.addEventListener("pointerdown", function (event) {
      if (event.target.closest(".key")) event.preventDefault();
    });
    bookingKeypad.addEventListener("click", function (event) {
      var key = event.target.closest(".key");
      if (!key) return;
      var value = key.getAttribute("data-key");
      if (value === "back") {
        bookingTarget.value = bookingTarget.value.slice(0, -1);
      } else if (value === "clear") {
        codeInput.value = "";
        lastFour.value = "";
        bookingTarget = codeInput;
      } else if (/^[A-Z]$/.test(value)) {
        bookingTarget = codeInput;
        if (codeInput.value.length < 8) codeInput.value += value;
      } else if (bookingTarget.maxLength <= 0 || bookingTarget.value.length < bookingTarget.maxLength) {
        bookingTarget.value += value;
      }
      bookingTarget.focus({ preventScroll: true });
    });
  }

  // An ID-card reader plugged in as a keyboard ("keyboard wedge", docs/kiosk.md) types the 18-character
  // number and Enter. Typed with no field focused, or into a field, it is taken as the card: shown
  // masked, sent with the next number taken, and never left in a field.
  var ID_NUMBER = /^[0-9]{17}[0-9X]$/;
  var cardBanner = document.querySelector("[data-card-banner]");
  var typed = "";
  function readCard(value) {
    var number = String(value || "").trim().toUpperCase();
    if (!ID_NUMBER.test(number)) return false;
    document.querySelectorAll("[data-id-card]").forEach(function (input) { input.value = number; });
    if (cardBanner) {
      var masked = cardBanner.querySelector("[data-card-masked]");
      if (masked) masked.textContent = number.slice(0, 3) + "*".repeat(11) + number.slice(14);
      cardBanner.hidden = false;
    }
    return true;
  }
  document.addEventListener("keydown", function (event) {
    var field = event.target.closest && event.target.closest("input, textarea");
    if (event.key === "Enter") {
      if (field && readCard(field.value)) { event.preventDefault(); field.value = ""; field.blur(); }
      else if (!field && readCard(typed)) event.preventDefault();
      typed = "";
      return;
    }
    if (!field && event.key && event.key.length === 1) typed = (typed + event.key).slice(-18);
  }, true);
  window.minxinKiosk = { readCard: readCard };

  // Left alone, go back to a fresh page: results clear, counts and estimates update.
  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, function () { lastTouch = Date.now(); }, true);
  });
  var returnAfter = parseInt(body.getAttribute("data-return-after") || "0", 10);
  setInterval(function () {
    var idle = Date.now() - lastTouch;
    if (sent) return;
    if ((returnAfter && idle > returnAfter * 1000) || idle > IDLE_RELOAD_MS) location.replace(kioskUrl);
  }, 1000);

  function ticketPage() {
    var seconds = parseInt(body.getAttribute("data-return-after") || "15", 10);
    var shown = document.querySelector("[data-countdown]");
    function countdown() {
      var timer = setInterval(function () {
        seconds -= 1;
        if (shown) shown.textContent = String(Math.max(seconds, 0));
        if (seconds <= 0) { clearInterval(timer); location.replace(kioskUrl); }
      }, 1000);
    }
    function start() {
      if (body.getAttribute("data-print") === "1") {
        try { window.print(); } catch (e) { /* no printer: the ticket stays on screen */ }
      }
      countdown();
    }
    if (document.readyState === "complete") start();
    else window.addEventListener("load", start);
  }
})();
