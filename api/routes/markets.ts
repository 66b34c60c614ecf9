/** Market routes (bearer API token): search the catalog, and one market with per-venue quotes. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../core/services.ts';
import { errors, marketIdParams, marketJson, marketsQuery, noQuery } from '../schemas.ts';
import { marketToJson } from '../serialize.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the market routes plugin. */
export interface MarketRoutesOptions {
  services: Services;
}

const security = [{ apiToken: [] }];

export const marketRoutes: FastifyPluginAsync<MarketRoutesOptions> = async (app, { services }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/markets',
    {
      schema: {
        tags: ['markets'],
        summary: 'List or search markets',
        security,
        querystring: marketsQuery,
        response: { 200: z.object({ markets: z.array(marketJson) }), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      const { q, category, limit } = req.query;
      const markets = await services.markets.list({ query: q || undefined, category: category || undefined, limit });
      return { markets: markets.slice(0, limit).map(marketToJson) };
    },
  );

  r.get(
    '/markets/:id',
    {
      schema: {
        tags: ['markets'],
        summary: 'One market with YES/NO bid and ask on each venue',
        security,
        querystring: noQuery,
        params: marketIdParams,
        response: { 200: z.object({ market: marketJson }), ...errors(400, 401, 404, 422, 429) },
      },
    },
    async (req) => {
      const market = await services.markets.resolve(req.params.id);
      return { market: marketToJson(market) };
    },
  );
};
