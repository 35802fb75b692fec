import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/** Where `npm run console:build` (run by `npm ci` through `prepare`) puts the operator console. */
export const CONSOLE_DIST = path.join(__dirname, '..', 'console', 'dist');

/**
 * The operator console at /console: the built single page and its hashed assets, nothing from a CDN.
 * It talks to the public /api only, with the key from the tab's session storage. Sounds are played from
 * their https URL, so media may come from any https origin; everything else stays 'self' (helmet's CSP).
 */
export function consoleRoutes(dist = CONSOLE_DIST): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' https:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
    );
    next();
  });
  // Hashed names never change content: cache them for long; index.html is always revalidated.
  router.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  router.get(['/', '/index.html'], (_req, res) => {
    if (!existsSync(path.join(dist, 'index.html'))) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run console:build` (npm ci does it).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dist, 'index.html'));
  });
  router.use((_req, res) => {
    res.status(404).type('text/plain').send('No such console file');
  });
  return router;
}
