// The portal's additions to Decap CMS (loaded after it, from this site).
(function () {
  "use strict";

  // Every text field takes the direction of what is typed in it (dir="auto"), so Arabic and
  // Persian are written and read right to left.
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

  // A field emptied in the editor is left out of the file rather than written as `key: ""`,
  // which the portal would refuse (an empty slug, order or date).
  if (window.CMS && window.CMS.registerEventListener) {
    window.CMS.registerEventListener({
      name: "preSave",
      handler: function (event) {
        var data = event.entry.get("data");
        return data.filter(function (value, key) {
          return key === "body" || (value !== "" && value !== null && value !== undefined);
        });
      }
    });
  }
})();
