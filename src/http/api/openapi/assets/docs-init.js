// Starts Swagger UI on this deployment's document; no validator badge (it would call out).
window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#reference', validatorUrl: null, deepLinking: true, tryItOutEnabled: false });
});
