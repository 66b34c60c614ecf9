/** Portfolio routes (bearer API token): the caller's positions with PnL, and balances per venue. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../core/services.ts';
import { balanceJson, errors, noQuery, positionJson } from '../schemas.ts';
import { balanceToJson, positionToJson } from '../serialize.ts';
import { currentUser } from '../auth.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the positions plugin. */
export interface PositionRoutesOptions {
  services: Services;
}

const security = [{ apiToken: [] }];

export const positionRoutes: FastifyPluginAsync<PositionRoutesOptions> = async (app, { services }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/positions',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Your open positions, valued at the current best bid',
        security,
        querystring: noQuery,
        response: { 200: z.object({ positions: z.array(positionJson) }), ...errors(401, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const positions = await services.trading.listPositions({ userId: user.id });
      return { positions: positions.map(positionToJson) };
    },
  );

  r.get(
    '/balance',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Your available balance on each venue',
        security,
        querystring: noQuery,
        response: { 200: z.object({ balance: balanceJson }), ...errors(401, 429, 503) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const balance = await services.trading.getBalance({ userId: user.id });
      return { balance: balanceToJson(balance) };
    },
  );
};
