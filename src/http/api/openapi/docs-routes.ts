/**
 * GET /api/v1/openapi.json (the document) and GET /api/v1/docs (Swagger UI on it), before
 * API-key auth: the contract is public. Swagger UI comes from the swagger-ui-dist package
 * in node_modules, served by this process, so the page loads nothing from outside.
 */
import path from 'node:path';
import express, { Router } from 'express';
import type { IntegrationConfig } from '../../../integrations/config';
import { buildOpenApiDocument } from './document';

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const OWN_ASSETS = path.join(__dirname, 'assets');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pacer API reference</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/docs-init.js"></script>
</body>
</html>
`;

export function openApiRoutes(config: IntegrationConfig | undefined): Router {
  const r = Router();
  let document: string | undefined;
  r.get('/openapi.json', (_req, res) => {
    // Built on first use: the document depends only on the code and on which integrations are mounted.
    document ??= JSON.stringify(buildOpenApiDocument(config));
    res.type('application/json').set('cache-control', 'no-cache').send(document);
  });
  r.get('/docs', (req, res) => {
    // The page's links are relative to /api/v1/docs; from /api/v1/docs/ they would miss.
    if (req.path.endsWith('/')) return res.redirect(301, req.baseUrl + '/docs');
    // Swagger UI sets inline styles; scripts are only the two files below.
    res.set('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'").type('html').send(PAGE);
  });
  r.use('/docs/assets', express.static(OWN_ASSETS, { index: false, fallthrough: true }), express.static(SWAGGER_UI, { index: false }));
  return r;
}
