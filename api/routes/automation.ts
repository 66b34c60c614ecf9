/**
 * Automation routes (bearer API token, issue 5): sniper orders (create, list, get with the resulting
 * order ids, cancel) and a position's take-profit / stop-loss levels. Another user's sniper or
 * position is a 404, exactly like a missing one. Creating a sniper moves no money; it places a buy
 * later, when the ask reaches the trigger.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { SniperView } from '../../core/automation/types.ts';
import type { Services } from '../../core/services.ts';
import { HttpError } from '../errors.ts';
import { currentUser } from '../auth.ts';
import { errors, idempotencyHeaders, noQuery } from '../schemas.ts';
import { listSnipersQuery, positionIdParams, sniperBody, sniperIdParams, sniperJson, tpslBody, tpslJson } from '../schemas-automation.ts';
import { d, dn } from '../serialize.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the automation routes plugin. */
export interface AutomationRoutesOptions {
  services: Services;
}

const security = [{ apiToken: [] }];
const sniperReply = z.object({ sniper: sniperJson });

export function sniperToJson(s: SniperView): z.input<typeof sniperJson> {
  return {
    id: s.id,
    status: s.status,
    marketId: s.marketId,
    marketTitle: s.marketTitle,
    side: s.side,
    triggerPrice: d(s.triggerPrice),
    amount: d(s.amount),
    slippage: d(s.slippage),
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
    repeat: s.repeat,
    exchange: s.exchange,
    paused: s.paused,
    fireCount: s.fireCount,
    orderIds: [...s.orderIds],
    failureReason: s.failureReason,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export const automationRoutes: FastifyPluginAsync<AutomationRoutesOptions> = async (app, { services }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/snipers',
    {
      schema: {
        tags: ['trading'],
        summary: 'Arm a sniper: buy when the ask falls to a trigger price',
        description:
          'Watches the ask of `side` (on `exchange`, or the best across venues) and, when it is at or below `triggerPrice`, places one ' +
          'marketable buy of `amount` USD at no worse than triggerPrice × (1 + slippage), rounded to the venue\'s tick (orders carry source "sniper"). ' +
          'Nothing is spent when it is armed. `repeat` re-arms it after each fill once the price has left the trigger zone. Decimal values are strings.',
        security,
        querystring: noQuery,
        headers: idempotencyHeaders,
        body: sniperBody,
        response: { 201: sniperReply, ...errors(400, 401, 404, 413, 415, 422, 423, 429) },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const b = req.body;
      const key = req.headers['idempotency-key'];
      const sniper = await services.automation.createSniper({
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
        userId: user.id,
        marketId: b.marketId,
        side: b.side,
        triggerPrice: b.triggerPrice,
        amount: b.amount,
        ...(b.slippage !== undefined ? { slippage: b.slippage } : {}),
        ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
        ...(b.repeat !== undefined ? { repeat: b.repeat } : {}),
        ...(b.exchange !== undefined ? { exchange: b.exchange } : {}),
      });
      return reply.code(201).send({ sniper: sniperToJson(sniper) });
    },
  );

  r.get(
    '/snipers',
    {
      schema: {
        tags: ['trading'],
        summary: 'List your snipers, newest first',
        security,
        querystring: listSnipersQuery,
        response: { 200: z.object({ snipers: z.array(sniperJson) }), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const snipers = await services.automation.listSnipers({ userId: user.id, ...(req.query.status ? { status: req.query.status } : {}) });
      return { snipers: snipers.map(sniperToJson) };
    },
  );

  r.get(
    '/snipers/:id',
    {
      schema: {
        tags: ['trading'],
        summary: 'One of your snipers, with the ids of the orders it placed',
        security,
        querystring: noQuery,
        params: sniperIdParams,
        response: { 200: sniperReply, ...errors(400, 401, 404, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const sniper = await services.automation.getSniper({ userId: user.id, sniperId: req.params.id });
      return { sniper: sniperToJson(sniper) };
    },
  );

  r.delete(
    '/snipers/:id',
    {
      schema: {
        tags: ['trading'],
        summary: 'Cancel one of your snipers',
        description: 'Only a WATCHING sniper can be cancelled; one that is firing, filled, expired, failed or already cancelled is a 409.',
        security,
        querystring: noQuery,
        params: sniperIdParams,
        response: { 200: sniperReply, ...errors(400, 401, 404, 409, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const sniper = await services.automation.cancelSniper({ userId: user.id, sniperId: req.params.id });
      return { sniper: sniperToJson(sniper) };
    },
  );

  r.put(
    '/positions/:id/tpsl',
    {
      schema: {
        tags: ['portfolio'],
        summary: "Set or clear a position's take-profit and stop-loss",
        description:
          'Take-profit sells the position when the bid rises to `takeProfitPrice` or higher; stop-loss when it falls to `stopLossPrice` or lower. ' +
          'Send at least one field: a price string sets it, null clears it, an omitted field stays as it is. Position ids are in GET /api/v1/positions. ' +
          'A level the bid has already crossed (it would sell at once) or a take-profit not above the stop-loss is 400; a closed market 422; an exit already selling 409.',
        security,
        querystring: noQuery,
        params: positionIdParams,
        body: tpslBody,
        response: { 200: z.object({ position: tpslJson }), ...errors(400, 401, 404, 409, 413, 415, 422, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const positionId = req.params.id;
      // Only the caller's own open positions: anything else is a 404, the same for "missing" and "someone else's".
      const mine = await services.trading.listPositions({ userId: user.id });
      if (!mine.some((p) => p.id.toLowerCase() === positionId && p.quantity.gt(0))) {
        throw new HttpError(404, 'position_not_found', `You have no open position ${positionId}. Your positions and their ids: GET /api/v1/positions.`);
      }
      const b = req.body;
      const res = await services.automation.setTpsl({
        userId: user.id,
        positionId,
        ...(b.takeProfitPrice !== undefined ? { takeProfitPrice: b.takeProfitPrice } : {}),
        ...(b.stopLossPrice !== undefined ? { stopLossPrice: b.stopLossPrice } : {}),
      });
      return { position: { id: res.positionId, takeProfitPrice: dn(res.takeProfitPrice), stopLossPrice: dn(res.stopLossPrice) } };
    },
  );
};
