/**
 * Trading routes (bearer API token): place an order, quote it without placing, list, get and cancel
 * the caller's own orders. Another user's order is a 404, exactly like a missing one.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../core/services.ts';
import { placementFailure } from '../../core/trading/trading-service.ts';
import { TradingError, type PlaceOrderInput } from '../../core/trading/types.ts';
import { currentUser } from '../auth.ts';
import {
  errors,
  idempotencyHeaders,
  listOrdersQuery,
  noQuery,
  orderBody,
  orderIdParams,
  orderJson,
  quoteBody,
  routeJson,
  type OrderBody,
} from '../schemas.ts';
import { orderToJson, routeToJson } from '../serialize.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the trading routes plugin. */
export interface TradingRoutesOptions {
  services: Services;
}

const security = [{ apiToken: [] }];
const orderReply = z.object({ order: orderJson });

function orderInput(userId: string, b: OrderBody): Omit<PlaceOrderInput, 'idempotencyKey' | 'source'> {
  return {
    userId,
    marketId: b.marketId,
    side: b.side,
    action: b.action,
    type: b.type,
    amount: b.amount,
    quantity: b.quantity,
    price: b.price,
    exchange: b.exchange,
    timeInForce: b.timeInForce,
    expiresAt: b.expiresAt,
  };
}

export const tradingRoutes: FastifyPluginAsync<TradingRoutesOptions> = async (app, { services }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/trading/order',
    {
      schema: {
        tags: ['trading'],
        summary: 'Place an order',
        description:
          'Market buy by `amount` (USD) or `quantity` (shares); limit orders need `price` and `quantity`; sells need `quantity`. ' +
          'Decimal values are strings. Send an `Idempotency-Key` header to make retries safe.',
        security,
        querystring: noQuery,
        headers: idempotencyHeaders,
        body: orderBody,
        response: { 201: orderReply, ...errors(400, 401, 404, 409, 413, 415, 422, 423, 429, 503) },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const key = req.headers['idempotency-key'];
      const order = await services.trading.placeOrder({
        ...orderInput(user.id, req.body),
        idempotencyKey: typeof key === 'string' ? key : undefined,
        source: 'manual',
      });
      // A placement that failed (nothing is at the venue) is an error answer, not 201: the venue's
      // reason in words, 503 + Retry-After when the venue was unavailable, 422 when it refused.
      const failure = placementFailure(order);
      if (failure) {
        const unavailable = failure === 'unavailable';
        throw new TradingError(unavailable ? 'venue_unavailable' : 'rejected', order.failureReason!, { orderId: order.id, status: 'failed' });
      }
      return reply.code(201).send({ order: orderToJson(order) });
    },
  );

  r.post(
    '/trading/quote',
    {
      schema: {
        tags: ['trading'],
        summary: 'Quote an order without placing it',
        description: "The SmartRouter's decision: the chosen venue, why, and every venue's executable quote.",
        security,
        querystring: noQuery,
        body: quoteBody,
        response: { 200: z.object({ route: routeJson }), ...errors(400, 401, 404, 413, 415, 422, 423, 429, 503) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const route = await services.trading.quote(orderInput(user.id, req.body));
      return { route: routeToJson(route) };
    },
  );

  r.get(
    '/trading/orders',
    {
      schema: {
        tags: ['trading'],
        summary: 'List your orders, newest first',
        security,
        querystring: listOrdersQuery,
        response: { 200: z.object({ orders: z.array(orderJson) }), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const orders = await services.trading.listOrders({ userId: user.id, status: req.query.status, limit: req.query.limit });
      return { orders: orders.map(orderToJson) };
    },
  );

  r.get(
    '/trading/orders/:id',
    {
      schema: {
        tags: ['trading'],
        summary: 'One of your orders, with its fills',
        security,
        querystring: noQuery,
        params: orderIdParams,
        response: { 200: orderReply, ...errors(400, 401, 404, 429) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const order = await services.trading.getOrder({ userId: user.id, orderId: req.params.id });
      return { order: orderToJson(order) };
    },
  );

  r.delete(
    '/trading/orders/:id',
    {
      schema: {
        tags: ['trading'],
        summary: 'Cancel one of your open orders',
        security,
        querystring: noQuery,
        params: orderIdParams,
        response: { 200: orderReply, ...errors(400, 401, 404, 409, 429, 503) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const order = await services.trading.cancelOrder({ userId: user.id, orderId: req.params.id });
      return { order: orderToJson(order) };
    },
  );
};
