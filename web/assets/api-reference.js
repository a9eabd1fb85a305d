// Renders the app's own OpenAPI document with Swagger UI (swagger-ui-bundle.js, loaded
// before this file). A separate file because the page's Content-Security-Policy allows
// no inline script.
window.SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The default asks validator.swagger.io for a badge: another origin, and the document
  // is already checked by the project's tests.
  validatorUrl: null,
});
