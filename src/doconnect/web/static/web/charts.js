// Draws every chart on the page (and in content htmx swaps in) from the Vega-Lite spec
// the server put next to it. The numbers are also in the table beside each chart.
(function () {
  "use strict";
  var GERMAN_NUMBERS = { decimal: ",", thousands: ".", grouping: [3], currency: ["", " €"] };
  var GERMAN_TIME = {
    dateTime: "%A, der %e. %B %Y, %X", date: "%d.%m.%Y", time: "%H:%M:%S",
    periods: ["AM", "PM"],
    days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
      "September", "Oktober", "November", "Dezember"],
    shortMonths: ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
  };

  function draw(root) {
    if (typeof vegaEmbed === "undefined") { return; }
    var german = (document.documentElement.lang || "de").indexOf("de") === 0;
    root.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var source = document.getElementById(el.dataset.vegaSpec);
      if (!source) { return; }
      el.dataset.drawn = "1";
      var options = { actions: false, renderer: "svg" };
      if (german) { options.formatLocale = GERMAN_NUMBERS; options.timeFormatLocale = GERMAN_TIME; }
      var spec = JSON.parse(source.textContent);
      delete spec.title;  // the figure's caption says it; exports keep it
      vegaEmbed(el, spec, options).catch(function (error) {
        el.dataset.error = String(error);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
