/* Keyboard review, claims, the side panel, the undo toast and bulk selection for the
   moderators' dashboard. A static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var FOCUS_KEY = "moderation-focus";
  var cards = [];
  var current = -1;
  var pickingReason = false;
  var TOAST_MS = 8000;
  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 1200px)") : null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function reviewable(card) {
    return !card.classList.contains("claimed");
  }

  function claim(card) {
    var url = card.getAttribute("data-claim-url");
    if (!url || !window.fetch) { return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (answer && answer.held_by && !answer.mine) {
        card.classList.add("claimed");
        var meta = card.querySelector(".meta");
        var badge = document.createElement("span");
        badge.className = "claimed-by";
        badge.textContent = answer.held_by + "正在审核";  // textContent: never HTML
        meta.appendChild(badge);
      }
    }).catch(function () { /* claiming is best effort */ });
  }

  function markCard(index) {
    if (index < 0 || index >= cards.length) { return null; }
    if (current >= 0 && cards[current]) { cards[current].classList.remove("focused"); }
    current = index;
    var card = cards[current];
    card.classList.add("focused");
    claim(card);
    showPanel(card);
    return card;
  }

  function focusCard(index) {
    var card = markCard(index);
    if (!card) { return; }
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function showPanel(card) {
    var panel = document.getElementById("panel");
    var url = card.getAttribute("data-panel-url");
    if (!panel || !url || !window.fetch || (WIDE && !WIDE.matches)) { return; }
    panel.setAttribute("data-for", card.id);
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      // Server-rendered and autoescaped by the same templates as the page itself.
      if (html && panel.getAttribute("data-for") === card.id) { panel.innerHTML = html; }
    }).catch(function () { /* the panel is a convenience */ });
  }

  function rememberFocus() {
    try { sessionStorage.setItem(FOCUS_KEY, String(Math.max(current, 0))); } catch (e) { /* private mode */ }
  }

  function setUpToast() {
    var toast = document.querySelector("[data-toast]");
    if (!toast) { return; }
    window.setTimeout(function () {
      toast.classList.add("leaving");
      window.setTimeout(function () { toast.hidden = true; }, 400);
    }, TOAST_MS);
  }

  function undoLast() {
    var form = document.querySelector("[data-toast]:not([hidden]) form.undo");
    if (!form) { return false; }
    rememberFocus();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function step(direction) {
    var index = current;
    for (var tries = 0; tries < cards.length; tries++) {
      index += direction;
      if (index < 0 || index >= cards.length) { return; }
      if (reviewable(cards[index])) { focusCard(index); return; }
    }
  }

  function focused() {
    return current >= 0 ? cards[current] : null;
  }

  function submit(form) {
    if (!form) { return; }
    rememberFocus();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function showPicker(card, show) {
    var picker = card.querySelector(".reason-picker");
    if (picker) { picker.hidden = !show; }
    pickingReason = show && !!picker;
  }

  function pickReason(card, digit) {
    var form = card.querySelector("form.reject");
    var select = form && form.querySelector("select[name=reason]");
    if (!select || digit < 1 || digit > select.options.length) { return; }
    select.selectedIndex = digit - 1;
    showPicker(card, false);
    submit(form);
  }

  function toggleSelect(card) {
    var box = card.querySelector(".select-box");
    if (!box) { return; }
    box.checked = !box.checked;
    updateSelection();
  }

  function updateSelection() {
    var count = 0;
    cards.forEach(function (card) {
      var box = card.querySelector(".select-box");
      var on = !!(box && box.checked);
      card.classList.toggle("selected", on);
      count += on ? 1 : 0;
    });
    var label = document.querySelector(".bulk .selected-count");
    if (label) { label.textContent = String(count); }
  }

  function toggleHelp() {
    var help = document.getElementById("shortcuts");
    if (help) { help.hidden = !help.hidden; }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var typing = target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName);
    if (typing) {
      if (event.key === "Escape") { target.blur(); }
      return;
    }
    var card = focused();
    if (pickingReason && card) {
      event.preventDefault();
      if (event.key === "Escape") { showPicker(card, false); }
      else if (/^[1-9]$/.test(event.key)) { pickReason(card, parseInt(event.key, 10)); }
      return;
    }
    var handled = true;
    switch (event.key) {
      case "j": step(1); break;
      case "k": step(-1); break;
      case "/": var box = document.getElementById("search-box"); if (box) { box.focus(); box.select(); } break;
      case "?": toggleHelp(); break;
      case "u": handled = undoLast(); break;
      case "Escape": var help = document.getElementById("shortcuts"); if (help) { help.hidden = true; } break;
      default: handled = card ? onCardKey(event.key, card) : false;
    }
    if (handled) { event.preventDefault(); }
  }

  function onCardKey(key, card) {
    switch (key) {
      case "a": submit(card.querySelector("form.approve")); return true;
      case "r": if (card.querySelector("form.reject")) { showPicker(card, true); } return true;
      case "e": submit(card.querySelector("form.flag-editor")); return true;
      case "x": toggleSelect(card); return true;
      case "h": var history = card.querySelector("details.history"); if (history) { history.open = !history.open; } return true;
      case "g": var link = card.querySelector("a.group-link"); if (link) { window.location.href = link.href; } return true;
      default: return false;
    }
  }

  function restoreFocus() {
    var saved = null;
    try { saved = sessionStorage.getItem(FOCUS_KEY); sessionStorage.removeItem(FOCUS_KEY); } catch (e) { saved = null; }
    if (saved === null || !cards.length) { return; }
    var index = Math.min(parseInt(saved, 10) || 0, cards.length - 1);
    current = index - 1;
    if (reviewable(cards[index])) { focusCard(index); } else { step(1); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    cards = Array.prototype.slice.call(document.querySelectorAll("article.comment"));
    cards.forEach(function (card, index) {
      card.addEventListener("click", function (event) {
        if (!/^(A|BUTTON|INPUT|SELECT|SUMMARY|OPTION)$/.test(event.target.tagName)) { focusCard(index); }
      });
      var box = card.querySelector(".select-box");
      if (box) { box.addEventListener("change", updateSelection); }
      // A decision by mouse keeps the place too: the next comment takes focus after reload.
      card.addEventListener("submit", function () { current = index; rememberFocus(); }, true);
      card.addEventListener("focusin", function () {
        if (current !== index) { markCard(index); }  // tabbing into a card's buttons
      });
    });
    setUpToast();
    document.addEventListener("keydown", onKey);
    restoreFocus();
  });
})();
