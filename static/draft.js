// The draft page's keyboard: `j` / `k` move between the proposed quotes, and `s` on a focused
// quote puts the alternate chosen in its list (the first one unless the editor picked another)
// in its place. Without JavaScript the "换成备选" button does the same.
(function () {
  "use strict";

  function picks() {
    return Array.prototype.slice.call(document.querySelectorAll(".draft-pick"));
  }

  function typing(element) {
    return element && /^(INPUT|SELECT|TEXTAREA)$/.test(element.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(document.activeElement)) { return; }
    var current = document.activeElement;
    var all = picks();
    var index = all.indexOf(current);
    if (event.key === "j" || event.key === "k") {
      var next = all[index < 0 ? 0 : index + (event.key === "j" ? 1 : -1)];
      if (next) { event.preventDefault(); next.focus(); }
      return;
    }
    if (event.key !== "s" || index < 0) { return; }
    var form = current.querySelector("form.swap-form");
    if (!form) { return; }
    event.preventDefault();
    form.submit();
  });
}());
