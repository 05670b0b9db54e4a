// The site frame's behaviour, for every page (no inline scripts: see issue #20).
// 1. The navigation folds behind a menu button on narrow screens (CSS decides when);
//    without JavaScript it stays a visible list.
// 2. Every table in the content scrolls sideways inside its own region, named after
//    its caption or the heading before it and reachable by keyboard, so the page
//    itself never needs to (WCAG 1.4.10 Reflow at 320 CSS px).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var button = document.querySelector(".site-nav__toggle");
    if (!button) { return; }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        menu.classList.remove("is-open");
        button.focus();
      }
    });
  }

  function tableName(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    if (table.getAttribute("aria-label")) { return table.getAttribute("aria-label"); }
    var labelledBy = table.getAttribute("aria-labelledby");
    if (labelledBy && document.getElementById(labelledBy)) {
      return document.getElementById(labelledBy).textContent.trim();
    }
    // the nearest heading before the table
    var headings = document.querySelectorAll("main h1, main h2, main h3, main h4");
    var name = "";
    headings.forEach(function (heading) {
      if (heading.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING) {
        name = heading.textContent.trim();
      }
    });
    return name || document.title;
  }

  function wrapTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      // already in a scrolling region (its own, or a chart's table beside the chart)
      if (!parent || parent.getAttribute("role") === "region") { return; }
      var region;
      if (parent.classList.contains("kern-table-responsive") && parent.children.length === 1) {
        // KERN's own scrolling wrapper: name it and make it reachable, no second one
        region = parent;
        region.classList.add("table-region");
        region.setAttribute("role", "region");
        region.setAttribute("tabindex", "0");
        region.setAttribute("aria-label", tableName(table));
        return;
      }
      region = document.createElement("div");
      region.className = "table-region";
      region.setAttribute("role", "region");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", tableName(table));
      parent.insertBefore(region, table);
      region.appendChild(table);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    wrapTables(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { wrapTables(event.target); });
})();
