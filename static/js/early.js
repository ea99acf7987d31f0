/* Runs before the page is painted: says that scripts run, so the style sheet can fold the phone
   menu and reserve the search form's place at once instead of after portal.js (no layout shift). */
document.documentElement.classList.add("portal-js");
