/** Liveness and metrics: `/healthz` and `/metrics` (Prometheus text), no authentication. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { HttpMetrics } from '../metrics.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the health plugin. */
export interface HealthRoutesOptions {
  httpMetrics: HttpMetrics;
  /** More Prometheus text appended after the HTTP metrics (queues, orders, ...). */
  metrics?: () => string | Promise<string>;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { httpMetrics, metrics }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  r.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        produces: ['text/plain'],
      },
    },
    async (req, reply) => {
      let text = httpMetrics.render();
      if (metrics) {
        try {
          const extra = await metrics();
          if (extra) text += extra.endsWith('\n') ? extra : `${extra}\n`;
        } catch (err) {
          // The HTTP metrics are still worth serving when a collector fails.
          req.log.warn({ err }, 'metrics collector failed');
        }
      }
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
    },
  );
};
