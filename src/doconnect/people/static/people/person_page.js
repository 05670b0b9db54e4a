// The person page's action bar leads to forms that sit folded in <details> on the page
// ("#note-form", "#follow-up-form", "#appointment-form"): open the one the address
// points to and put the cursor in its first field. Without JavaScript the link still
// scrolls there and the form opens with one click on its summary.
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target || target.tagName !== "DETAILS") {
      return;
    }
    target.open = true;
    var field = target.querySelector("input:not([type=hidden]), select, textarea");
    (field || target.querySelector("summary")).focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    openTarget();
    window.addEventListener("hashchange", openTarget);
    // A second click on the same action changes no hash: open the form all the same.
    document.querySelectorAll(".person-actions a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function () {
        if (link.getAttribute("href") === window.location.hash) {
          window.setTimeout(openTarget, 0);
        }
      });
    });
  });
})();
