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
      headers: { "X-CSRFToken": csrfToken(), "X-Desk-Background": "1" }
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
    fetch(url, { credentials: "same-origin", headers: { "X-Desk-Background": "1" } }).then(function (response) {
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
    // option 0 is the "（选择原因）" placeholder; 1–7 are the reasons in order
    if (!select || digit < 1 || digit >= select.options.length) { return; }
    select.selectedIndex = digit;
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

  // A mouse press focuses what it lands on before the button is released; the card takes
  // focus on the click (press and release), so nothing moves between the two.
  var pointerDown = false;

  function interactive(target) {
    return /^(A|BUTTON|INPUT|SELECT|SUMMARY|OPTION|LABEL|TEXTAREA|KBD)$/.test(target.tagName) ||
      !!(target.closest && target.closest("a, button, label, summary, select"));
  }

  function bindCard(card, index) {
    card.addEventListener("click", function (event) {
      if (current !== index) { markCard(index); }
      if (!interactive(event.target)) { card.focus({ preventScroll: true }); }
    });
    var box = card.querySelector(".select-box");
    if (box) { box.addEventListener("change", updateSelection); }
    // A decision by mouse keeps the place too: the next comment takes focus after reload.
    card.addEventListener("submit", function () { current = index; rememberFocus(); }, true);
    card.addEventListener("focusin", function () {
      if (!pointerDown && current !== index) { markCard(index); }  // tabbing into a card's buttons
    });
    // 拒绝 with no reason chosen: the browser keeps the form, the picker says what is missing.
    var reason = card.querySelector("form.reject select[name=reason]");
    if (reason) { reason.addEventListener("invalid", function () { markCard(index); showPicker(card, true); }); }
  }

  function guardBulkReject() {
    var bulk = document.getElementById("bulk");
    if (!bulk) { return; }
    bulk.addEventListener("submit", function (event) {
      var button = event.submitter;
      var reason = bulk.querySelector("select[name=reason]");
      if (button && button.value === "reject" && reason && !reason.value) {
        event.preventDefault();
        reason.focus();
        var note = bulk.querySelector(".need-reason");
        if (note) { note.hidden = false; }
      }
    });
  }

  document.addEventListener("mousedown", function () { pointerDown = true; }, true);
  document.addEventListener("mouseup", function () { pointerDown = false; }, true);

  document.addEventListener("DOMContentLoaded", function () {
    cards = Array.prototype.slice.call(document.querySelectorAll("article.comment"));
    cards.forEach(bindCard);
    guardBulkReject();
    setUpToast();
    document.addEventListener("keydown", onKey);
    restoreFocus();
  });
})();

/* The rule editor: only the selected action's parameter shows (拒绝原因 for 拒绝, …). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var action = document.getElementById("rule-action");
  if (!action) { return; }
  function follow() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-for-action]"), function (row) {
      row.hidden = row.getAttribute("data-for-action") !== action.value;
    });
  }
  action.addEventListener("change", follow);
  follow();
});

/* The alert rule form: only the chosen kind's parameters show, and only they are sent
   (several kinds share a parameter name such as window_minutes). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var kind = document.getElementById("alert-kind");
  if (!kind) { return; }
  function follow() {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset.params[data-kind]"), function (set) {
      var on = set.getAttribute("data-kind") === kind.value;
      set.hidden = !on;
      set.disabled = !on;
    });
  }
  kind.addEventListener("change", follow);
  follow();
});

/* Every table cell learns its column's name, shown before it when a phone stacks the rows. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!names.length) { return; }
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (!cell.hasAttribute("data-label") && names[index] && !(cell.colSpan > 1)) { cell.setAttribute("data-label", names[index]); }
      });
    });
  });
});

/* Touch screens have no keyboard shortcuts: the search box does not mention "/". */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var box = document.getElementById("search-box");
  if (box && window.matchMedia && window.matchMedia("(hover: none)").matches) {
    box.setAttribute("placeholder", "搜索评论内容");
  }
});
