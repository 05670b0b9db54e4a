// Starts Swagger UI on /api/docs from the settings the server put into the page (no
// inline script, so a strict Content-Security-Policy can forbid them).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    // "Try it out" with the browser session needs the CSRF token, as our pages send it.
    settings.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.ui = SwaggerUIBundle(settings);
})();
