// Starts Swagger UI on the document of GET /api/docs. A file rather than an inline script, so the
// page's Content-Security-Policy can forbid inline scripts. "Authorize" offers the bearer token
// and the OAuth2 password flow (token URL /api/login): enter a username or email and the password,
// and leave the client id and secret empty.
window.ui = SwaggerUIBundle({
  url: '/api/docs',
  dom_id: '#swagger-ui',
  deepLinking: true,
  defaultModelsExpandDepth: 0,
});
