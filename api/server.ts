/**
 * The HTTP server: the trading API for web and mobile clients (/api/v1), the admin API (/admin, only
 * when an admin token is configured), /healthz, /metrics and the OpenAPI docs (/docs). Built, not
 * started: the caller listens.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { QueueStatsPort, Services } from '../core/services.ts';
import { adminAuthHook, userAuthHook } from './auth.ts';
import { frameworkErrorHandler, installErrorHandling } from './errors.ts';
import { HttpMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { RateLimiter, rateLimitHook } from './rate-limit.ts';
import { accountRoutes } from './routes/account.ts';
import { adminRoutes } from './routes/admin.ts';
import { adminMarketsRoutes } from './routes/admin-markets.ts';
import type { MarketAdminApi } from '../core/markets/market-registration.ts';
import { automationRoutes } from './routes/automation.ts';
import { followRoutes } from './routes/follow.ts';
import { healthRoutes } from './routes/health.ts';
import { marketRoutes } from './routes/markets.ts';
import { positionRoutes } from './routes/positions.ts';
import { tradingRoutes } from './routes/trading.ts';
import { useZodCompilers } from './zod.ts';

/** Request bodies above this many bytes get 413. */
export const BODY_LIMIT = 16 * 1024;

/** What the HTTP server needs. */
export interface HttpServerDeps {
  services: Services;
  /** Queue statistics for GET /admin/queues (empty list without it). */
  queueStats?: QueueStatsPort;
  /** Market registration and pairing suggestions (POST /admin/markets, GET /admin/markets/suggestions); absent → not served. */
  marketAdmin?: MarketAdminApi;
  /** Enables /admin with this bearer token; unset → every /admin path is 404. */
  adminToken?: string;
  /** Requests per minute per API token (and for the admin token). */
  rateLimitPerMin: number;
  /** A pino-compatible logger, or true/false for Fastify's default pino logger / none. */
  logger?: FastifyBaseLogger | boolean;
  /** More Prometheus text appended to /metrics. */
  metrics?: () => string | Promise<string>;
  /** More routes outside /api/v1 and /admin, e.g. the Telegram webhook (POST /telegram/webhook). */
  extraRoutes?: (app: FastifyInstance) => Promise<void>;
}

/** Builds the Fastify instance with every route registered and ready; it does not listen. */
export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const loggerOpts =
    typeof deps.logger === 'object' && deps.logger !== null ? { loggerInstance: deps.logger } : { logger: deps.logger ?? false };
  const app = Fastify({
    ...loggerOpts,
    bodyLimit: BODY_LIMIT,
    genReqId: () => randomUUID(),
    frameworkErrors: frameworkErrorHandler({ bodyLimit: BODY_LIMIT }),
    // One debug line per request from the onResponse hook below instead of Fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }) as unknown as FastifyInstance;

  installErrorHandling(app, { bodyLimit: BODY_LIMIT });
  installBodyParsers(app);

  const httpMetrics = new HttpMetrics();
  app.addHook('onRequest', async (req, reply) => {
    httpMetrics.started();
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpMetrics.observe({ method: req.method, route, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
    req.log.debug({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const adminEnabled = typeof deps.adminToken === 'string' && deps.adminToken.length > 0;
  await registerOpenApi(app, { adminEnabled });

  const limiter = new RateLimiter(deps.rateLimitPerMin);
  const { services } = deps;

  await app.register(async (api) => {
    useZodCompilers(api);
    await api.register(healthRoutes, { httpMetrics, metrics: deps.metrics });

    await api.register(
      async (v1) => {
        v1.addHook('onRequest', rateLimitHook(limiter, 'api'));
        v1.addHook('onRequest', userAuthHook(services.users));
        await v1.register(tradingRoutes, { services });
        await v1.register(marketRoutes, { services });
        await v1.register(positionRoutes, { services });
        await v1.register(automationRoutes, { services });
        await v1.register(followRoutes, { services });
        await v1.register(accountRoutes, { services });
      },
      { prefix: '/api/v1' },
    );

    if (adminEnabled) {
      await api.register(
        async (admin) => {
          admin.addHook('onRequest', rateLimitHook(limiter, 'admin'));
          admin.addHook('onRequest', adminAuthHook(deps.adminToken as string));
          await admin.register(adminRoutes, { services, queueStats: deps.queueStats });
          if (deps.marketAdmin) await admin.register(adminMarketsRoutes, { markets: deps.marketAdmin });
        },
        { prefix: '/admin' },
      );
    }
  });

  if (deps.extraRoutes) {
    const extra = deps.extraRoutes;
    await app.register(async (scope) => extra(scope));
  }

  await app.ready();
  return app;
}

/**
 * JSON only: an empty JSON body counts as no body (DELETE/POST without one), malformed JSON is
 * 400 invalid_json, and any other content type is 415 (the text/plain parser is removed).
 */
function installBodyParsers(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    json(req, body as string, done);
  });
}
