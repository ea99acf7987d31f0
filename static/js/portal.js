/* The portal's only script on content pages. Everything works without it; it adds:
   - quick exit by pressing Shift three times (after GOV.UK's "Exit this page"),
   - hiding the page at once and leaving with location.replace (kept out of Back where possible),
   - a "Copy link" button next to the page's address.
   It stores nothing and sends nothing. */
(function () {
  "use strict";

  var exit = document.querySelector(".js-portal-exit");
  if (exit) {
    var button = exit.querySelector(".js-portal-exit-button");
    var status = exit.querySelector(".js-portal-exit-status");
    var target = button.getAttribute("href");
    var presses = 0;
    var timer = null;

    var reset = function () {
      presses = 0;
      window.clearTimeout(timer);
      status.textContent = "";
    };

    var leave = function (event) {
      if (event) {
        event.preventDefault();
      }
      document.documentElement.classList.add("portal-exit--leaving");
      status.textContent = exit.getAttribute("data-leaving");
      window.location.replace(target);
    };

    button.addEventListener("click", leave);
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        reset();
        return;
      }
      presses += 1;
      window.clearTimeout(timer);
      if (presses >= 3) {
        reset();
        leave();
        return;
      }
      status.textContent = exit.getAttribute(presses === 1 ? "data-two-more" : "data-one-more");
      timer = window.setTimeout(reset, 5000);
    });
    // Coming back with the Back button may restore the hidden page from the cache: show it again.
    window.addEventListener("pageshow", function () {
      document.documentElement.classList.remove("portal-exit--leaving");
      reset();
    });
  }

  // On narrow screens the menu folds behind a "Menu" button; without JavaScript it is always shown.
  var nav = document.querySelector(".js-portal-nav");
  if (nav && window.matchMedia) {
    var toggle = nav.querySelector(".js-portal-nav-toggle");
    var list = document.getElementById(toggle.getAttribute("aria-controls"));
    var narrow = window.matchMedia("(max-width: 47.99em)");
    var apply = function () {
      toggle.hidden = !narrow.matches;
      list.hidden = narrow.matches && toggle.getAttribute("aria-expanded") !== "true";
    };
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
      apply();
    });
    narrow.addEventListener("change", apply);
    apply();
  }

  // Opening hours: today's row is marked (the table reads the same without it).
  var today = String((new Date().getDay() + 6) % 7 + 1);
  Array.prototype.forEach.call(document.querySelectorAll(".js-portal-hours"), function (table) {
    Array.prototype.forEach.call(table.querySelectorAll("tr[data-days]"), function (row) {
      if (row.getAttribute("data-days").split(" ").indexOf(today) !== -1) {
        row.classList.add("portal-hours__today");
        var note = document.createElement("span");
        note.className = "portal-visually-hidden";
        note.textContent = " (" + table.getAttribute("data-today") + ")";
        row.cells[0].appendChild(note);
      }
    });
  });

  var copy = document.querySelector(".js-portal-copy");
  var address = document.querySelector(".js-portal-share-url");
  if (copy && address && navigator.clipboard) {
    var copied = document.querySelector(".js-portal-copy-status");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(address.value).then(function () {
        copied.textContent = copy.getAttribute("data-copied");
      });
    });
  }
  if (address) {
    address.addEventListener("focus", function () {
      address.select();
    });
  }
})();
