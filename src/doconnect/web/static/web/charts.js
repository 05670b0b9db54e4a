// Draws every chart on the page (and in content htmx swaps in) from the Vega-Lite spec
// the server put next to it. The numbers are also in the table beside each chart.
(function () {
  "use strict";
  var CHART_FONT = '"Fira Sans", sans-serif';
  var GERMAN_NUMBERS = { decimal: ",", thousands: ".", grouping: [3], currency: ["", " €"] };
  // en-GB grouping, the euro as currency (d3's default locale would print "$")
  var ENGLISH_NUMBERS = { decimal: ".", thousands: ",", grouping: [3], currency: ["€", ""] };
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
      // The page's typeface (KERN sets it on every element, the chart's text included):
      // Vega places axis titles by measuring its labels, so it must measure in the font
      // that is drawn, or a title lands on a long label.
      // ast: Vega's expressions run by the interpreter vega-embed bundles, not compiled
      // with new Function (the Content-Security-Policy forbids eval); defaultStyle: no
      // <style> element injected (style-src 'self'); the tooltip's style is in charts.css.
      var options = {
        actions: false, renderer: "svg", config: { font: CHART_FONT }, ast: true,
        defaultStyle: false, tooltip: { disableDefaultStyle: true }
      };
      if (german) { options.formatLocale = GERMAN_NUMBERS; options.timeFormatLocale = GERMAN_TIME; }
      else { options.formatLocale = ENGLISH_NUMBERS; }
      var spec = JSON.parse(source.textContent);
      delete spec.title;  // the figure's caption says it; exports keep it
      // Nothing to draw (e.g. no person the user may see): say so instead of an empty
      // frame and Vega's warnings about an infinite extent; the table says the same.
      if (spec.data && Array.isArray(spec.data.values) && spec.data.values.length === 0) {
        var empty = document.createElement("p");
        empty.className = "kern-body chart__empty";
        empty.textContent = german ? "Keine Werte für diese Grafik." : "No figures for this chart.";
        el.appendChild(empty);
        el.dataset.empty = "1";
        return;
      }
      vegaEmbed(el, spec, options).catch(function (error) {
        el.dataset.error = String(error);
      });
    });
  }

  // Draw once the typeface is loaded, so the measurements are right (at most a short wait;
  // without the font the browser's fallback is measured and drawn alike).
  function whenFontsReady(callback) {
    if (!document.fonts || !document.fonts.load) { callback(); return; }
    Promise.all([
      document.fonts.load('400 12px "Fira Sans"'),
      document.fonts.load('700 12px "Fira Sans"')
    ]).then(callback, callback);
  }

  document.addEventListener("DOMContentLoaded", function () {
    whenFontsReady(function () { draw(document); });
  });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
