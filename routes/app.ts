import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import { healthRoutes } from './health';
import { metricsRoutes } from './metrics';
import { requestMetrics } from './http/request-metrics';
import { apiRouteTable, routeMiddleware } from './api';
import { apiDocsAssets } from './api-docs-assets';
import { consoleRoutes } from './console';
import { publicSoundRoutes } from './sounds-public';
import { voiceRoutes } from './voice';
import { smsRoutes } from './sms';
import { buildApiRouter } from './http/build-router';
import type { AppDeps } from '../src/deps';
import { apiErrorHandler, apiNotFound } from './http/error-handlers';
import { twilioForm } from './http/twilio-form';
import { twilioSignature } from './http/twilio-signature';
import { voiceErrorHandler } from './http/voice-error-handler';

const BODY_LIMIT = '100kb';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind ngrok or a load balancer: req.ip comes from X-Forwarded-For. Signatures never use Host.
  app.set('trust proxy', 'loopback');

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Health probes and scrapes every few seconds would drown the log.
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(helmet());
  app.use(requestMetrics(deps.metrics), healthRoutes(deps.db), metricsRoutes(deps));
  app.use('/sounds', publicSoundRoutes(deps));

  const voice = express.Router();
  // extended:false keeps `From[$ne]=x` a plain key instead of a nested object: no operator injection.
  voice.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 200 }));
  voice.use(
    twilioSignature({
      authToken: deps.config.twilio.authToken,
      publicBaseUrl: deps.config.publicBaseUrl,
      enabled: deps.config.webhookSignatureCheck,
    }),
  );
  voice.use(twilioForm);
  voice.use(voiceRoutes(deps));
  voice.use((_req, res) => {
    res.status(404).type('text/plain').send('No such voice webhook');
  });
  voice.use(voiceErrorHandler);
  app.use('/voice', voice);
  app.use('/sms', smsRoutes(deps, { bodyLimit: BODY_LIMIT }));
  app.use('/console', consoleRoutes());
  app.use('/api/docs/assets', apiDocsAssets());

  const api = express.Router();
  // Each route authenticates before its body is parsed (routes/http/build-router.ts).
  api.use(buildApiRouter(apiRouteTable(deps.config.publicBaseUrl), deps, routeMiddleware, { bodyLimit: BODY_LIMIT }));
  api.use(apiNotFound);
  api.use(apiErrorHandler);
  app.use('/api', api);

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'route_not_found', message: `no route for ${req.method} ${req.path}` } });
  });
  return app;
}
