// Reordering sections and quotes by drag and drop, or with Alt+↑ / Alt+↓ on a focused item.
// Without JavaScript the ↑/↓ buttons (plain POST forms) do the same.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute("data-id");
    });
  }

  function saveOrder(list) {
    var body = new URLSearchParams();
    body.set("csrf_token", csrfToken());
    body.set("kind", list.getAttribute("data-kind"));
    body.set("parent_id", list.getAttribute("data-parent"));
    body.set("ids", items(list).map(function (el) { return el.getAttribute("data-id"); }).join(","));
    fetch(list.getAttribute("data-order-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function () { window.location.reload(); });
  }

  function ownList(el) {
    return el.parentElement && el.parentElement.classList.contains("sortable") ? el.parentElement : null;
  }

  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-id][draggable=true]");
    if (!item) { return; }
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-id"));
    event.stopPropagation();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var target = event.target.closest && event.target.closest("[data-id]");
    while (target && ownList(target) !== ownList(dragged)) {
      target = target.parentElement && target.parentElement.closest("[data-id]");
    }
    if (!target || target === dragged) { return; }
    event.preventDefault();
    var box = target.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    target.parentElement.insertBefore(dragged, after ? target.nextSibling : target);
  });

  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    var list = ownList(dragged);
    dragged.classList.remove("dragging");
    dragged = null;
    if (list) { saveOrder(list); }
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) { return; }
    var item = document.activeElement;
    if (!item || !item.hasAttribute("data-id")) { return; }
    var list = ownList(item);
    if (!list) { return; }
    var siblings = items(list);
    var index = siblings.indexOf(item);
    var target = siblings[index + (event.key === "ArrowUp" ? -1 : 1)];
    if (!target) { return; }
    event.preventDefault();
    list.insertBefore(item, event.key === "ArrowUp" ? target : target.nextSibling);
    item.focus();
    saveOrder(list);
  });
})();
