import { Router, type ErrorRequestHandler } from 'express';
import type { AppDeps } from '../src/deps';
import { soundBytes } from '../src/domain/sounds';

const notFoundBody = { error: { code: 'not_found', message: 'sound not found' } };

/**
 * Public, unauthenticated serving of uploaded sounds at /sounds/<token> (Twilio <Play> fetches them).
 * The token is the only secret: a malformed one is refused before any query, an unknown one is 404.
 */
export function publicSoundRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/:token', async (req, res) => {
    const sound = await soundBytes(deps.db, req.params.token);
    if (!sound) {
      res.status(404).json(notFoundBody);
      return;
    }
    res
      .status(200)
      .set({
        'Content-Type': sound.contentType,
        'Cache-Control': 'public, max-age=86400',
      })
      // send(): Content-Length, an ETag and 304s for conditional requests
      .send(sound.data);
  });
  const failed: ErrorRequestHandler = (err, req, res, _next) => {
    req.log?.error({ err }, 'could not serve a sound');
    res.status(500).json({ error: { code: 'internal', message: 'internal error; see the service log for this request id' } });
  };
  router.use(failed);
  return router;
}
