import { z } from 'zod';
import { buildOpenApi } from '../http/openapi';
import { defineRoute, type RouteSpec } from '../http/route-spec';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The OpenAPI document and Swagger UI to browse it (served locally: helmet's CSP stays strict). */
export function docsRoutes(allRoutes: () => RouteSpec[], serverUrl: string): RouteSpec[] {
  let cached: { json: string; html: string } | undefined;
  const render = () => {
    if (cached) return cached;
    const doc = buildOpenApi(allRoutes(), { serverUrl, version: '1' });
    const rows = allRoutes()
      .map(
        (r) =>
          `<tr><td><code>${r.method.toUpperCase()}</code></td><td><code>/api${escapeHtml(r.path)}</code></td>` +
          `<td>${r.access === 'admin' ? 'operator' : 'operator, own client'}</td><td>${escapeHtml(r.summary)}</td></tr>`,
      )
      .join('\n');
    // Swagger UI renders the document (its files from /api/docs/assets); the table stays for readers without scripts.
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Callback service API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"><link rel="icon" href="/api/docs/assets/favicon-32x32.png">
<style>body{font:14px system-ui,sans-serif;margin:0}noscript td{padding:.3em .8em;border-bottom:1px solid #ddd;vertical-align:top}</style></head>
<body><div id="swagger-ui"></div><noscript><h1>Callback service configuration API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.</p><table><tr><th>method</th><th>path</th><th>who</th><th>what</th></tr>
${rows}</table></noscript>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script><script src="/api/docs/assets/init.js"></script></body></html>`;
    cached = { json: JSON.stringify(doc), html };
    return cached;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      tag: 'docs',
      access: 'admin',
      public: true,
      responses: { 200: { description: 'the document', schema: z.object({ openapi: z.string() }).loose() } },
      handler: async () => ({ status: 200, raw: { contentType: 'application/json', text: render().json } }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      summary: 'Browse this API',
      tag: 'docs',
      access: 'admin',
      public: true,
      responses: { 200: { description: 'an HTML page', contentType: 'text/html' } },
      handler: async () => ({ status: 200, raw: { contentType: 'text/html', text: render().html } }),
    }),
  ];
}
