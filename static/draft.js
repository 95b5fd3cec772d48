// The draft page's one-key swap: with a proposed quote focused, `s` puts the alternate chosen
// in its list (the first one unless the editor picked another) in its place.
// Without JavaScript the "换成备选" button does the same.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "s" || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var pick = document.activeElement;
    if (!pick || !pick.classList || !pick.classList.contains("draft-pick")) { return; }
    var form = pick.querySelector("form.swap-form");
    if (!form) { return; }
    event.preventDefault();
    form.submit();
  });
}());
