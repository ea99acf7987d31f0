// The portal's addition to Decap CMS: every text field takes the direction of what is typed
// in it (dir="auto"), so Arabic and Persian are written and read right to left.
(function () {
  "use strict";
  function mark(root) {
    var fields = root.querySelectorAll("input[type=text], input:not([type]), textarea, [contenteditable=true]");
    for (var i = 0; i < fields.length; i++) {
      if (!fields[i].hasAttribute("dir")) { fields[i].setAttribute("dir", "auto"); }
    }
  }
  var waiting = false;
  new MutationObserver(function () {
    if (waiting) { return; }
    waiting = true;
    requestAnimationFrame(function () { waiting = false; mark(document); });
  }).observe(document.documentElement, {childList: true, subtree: true});
  mark(document);
})();
