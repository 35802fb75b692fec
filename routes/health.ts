import { Router } from 'express';
import type mongoose from 'mongoose';
import { pingDatabase } from '../src/db/connect';

/** Liveness (the process answers) and readiness (the database answers too). */
export function healthRoutes(db: mongoose.Connection): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ok = await pingDatabase(db);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'database unavailable' });
  });
  return router;
}
