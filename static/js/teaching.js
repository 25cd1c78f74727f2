// Facilitator view: the arrow keys (and N / P, Space, and PageDown / PageUp as presentation clickers send them)
// follow the page's rel="next" and rel="prev" links, Home and End its rel="first" and rel="last", so a key does
// exactly what the links do without JavaScript.
(function () {
  "use strict";
  var RELS = {
    ArrowRight: "next", PageDown: "next", n: "next", N: "next", " ": "next",
    ArrowLeft: "prev", PageUp: "prev", p: "prev", P: "prev",
    Home: "first", End: "last",
  };

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    // Typing in a field (the what-if panel, the browser's find bar) must not step the session on.
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [contenteditable]")) {
      return;
    }
    // Space on a focused link or button keeps its own meaning (press it, scroll), as the keyboard user expects.
    if (event.key === " " && target && target.closest && target.closest("a, button, summary")) {
      return;
    }
    var rel = Object.prototype.hasOwnProperty.call(RELS, event.key) ? RELS[event.key] : null;
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
