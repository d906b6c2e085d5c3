/* global window, SwaggerUIBundle -- a classic script beside swagger-ui-bundle.js in the browser */
// The reference page: Swagger UI on this Worker's own document. validatorUrl null: Swagger UI would
// otherwise send the document to validator.swagger.io (tests validate it instead).
window.ui = SwaggerUIBundle({
  url: "/api/media/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
