import path from 'node:path';
import express, { type Router } from 'express';

/**
 * Swagger UI (swagger-ui-dist, served from node_modules: no CDN) for /api/docs, and the few lines that
 * start it. They are a file, not an inline script, so helmet's CSP (script-src 'self') stays strict.
 */
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });
});
`;

export function apiDocsAssets(): Router {
  const router = express.Router();
  const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  router.get('/init.js', (_req, res) => {
    res.type('application/javascript').setHeader('Cache-Control', 'no-cache');
    res.send(INIT);
  });
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']) {
    router.get(`/${file}`, (_req, res) => {
      res.sendFile(path.join(dist, file), { maxAge: '1d' });
    });
  }
  return router;
}
