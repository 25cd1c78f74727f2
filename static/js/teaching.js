// Facilitator view: the arrow keys (and N / P, and PageDown / PageUp as presentation clickers send them) follow
// the page's rel="next" and rel="prev" links, so a key does exactly what the links do without JavaScript.
(function () {
  "use strict";
  var NEXT = ["ArrowRight", "PageDown", "n", "N"];
  var PREVIOUS = ["ArrowLeft", "PageUp", "p", "P"];

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    // Typing in a field (the what-if panel, the browser's find bar) must not step the session on.
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [contenteditable]")) {
      return;
    }
    var rel = NEXT.indexOf(event.key) >= 0 ? "next" : PREVIOUS.indexOf(event.key) >= 0 ? "prev" : null;
    if (!rel) {
      return;
    }
    var link = document.querySelector("[data-present-nav] a[rel='" + rel + "']");
    if (link) {
      event.preventDefault();
      link.click();
    }
  });
})();
