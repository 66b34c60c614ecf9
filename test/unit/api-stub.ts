/**
 * A tiny in-memory Services for the HTTP API's unit tests (app.inject): enough behaviour to check
 * routes, auth, validation and error mapping without Postgres. Not a model of the real core.
 */
import { randomUUID } from 'node:crypto';
import type { HaltState } from '../../core/admin/types.ts';
import { Decimal } from '../../core/money.ts';
import type { Services } from '../../core/services.ts';
import {
  TradingError,
  type MarketSummary,
  type OrderView,
  type PlaceOrderInput,
  type PositionView,
  type RouteDecision,
  type VenueQuote,
} from '../../core/trading/types.ts';
import type { UserView } from '../../core/users/types.ts';
import { buildHttpServer, type HttpServerDeps } from '../../api/server.ts';
import { createAutomationStub, type AutomationStub } from './automation-stub.ts';
import { userFeatureStub } from './users-feature-stub.ts';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

const D = (s: string) => new Decimal(s);

export const MARKETS: MarketSummary[] = [
  {
    id: 'fed-cut-dec',
    slug: 'fed-cut-december',
    title: 'Will the Fed cut rates in December?',
    category: 'economics',
    status: 'open',
    venues: [
      { venue: 'polymarket', listingId: 'fed-cut-dec:polymarket', venueMarketId: '0xabc', tickSize: D('0.01'), minSize: D('5'), yesBid: D('0.41'), yesAsk: D('0.43') },
      { venue: 'kalshi', listingId: 'fed-cut-dec:kalshi', venueMarketId: 'FED-DEC', tickSize: D('0.01'), minSize: D('1'), yesBid: D('0.4'), yesAsk: D('0.44') },
    ],
  },
  {
    id: 'btc-100k',
    slug: 'btc-above-100k',
    title: 'Bitcoin above $100k on Dec 31?',
    category: 'crypto',
    status: 'open',
    venues: [
      { venue: 'polymarket', listingId: 'btc-100k:polymarket', venueMarketId: '0xdef', tickSize: D('0.001'), minSize: D('5'), yesBid: null, yesAsk: null },
    ],
  },
];

function quoteFor(venue: 'polymarket' | 'kalshi', listingId: string): VenueQuote {
  return {
    venue,
    listingId,
    fillable: true,
    quantity: D('10'),
    avgPrice: D('0.4312345678'),
    worstPrice: D('0.44'),
    notional: D('4.312345678'),
    fee: D('0.07'),
    total: D('4.382345678'),
    bestBid: D('0.41'),
    bestAsk: D('0.43'),
  };
}

/** The stub plus handles the tests inspect: placed orders, audit entries, every call made. */
export interface StubWorld {
  services: Services;
  orders: OrderView[];
  audits: { actor: string; action: string; subject?: string; details?: Record<string, unknown> }[];
  calls: { method: string; args: unknown }[];
  /** Bearer tokens of the two seeded users. */
  alice: { user: UserView; token: string };
  bob: { user: UserView; token: string };
  halt: HaltState;
  /** The automation stub (snipers, TP/SL) behind services.automation. */
  automation: AutomationStub;
  /** Alice's one open position (stable id, so TP/SL can address it). */
  alicePosition: PositionView;
}

export function makeStub(): StubWorld {
  const tokens = new Map<string, UserView>();
  const users: UserView[] = [];
  const orders: OrderView[] = [];
  const audits: StubWorld['audits'] = [];
  const calls: StubWorld['calls'] = [];
  const halt: HaltState = { halted: false, reason: null, since: null, by: null };
  const idem = new Map<string, OrderView>();

  const addUser = (name: string) => {
    const user: UserView = { id: randomUUID(), name, maxOrderUsd: D('500'), skipConfirmBelowUsd: null, createdAt: new Date('2026-01-02T03:04:05.000Z') };
    const token = `yn_${randomUUID().replace(/-/g, '')}`;
    users.push(user);
    tokens.set(token, user);
    return { user, token };
  };
  const alice = addUser('alice');
  const bob = addUser('bob');

  const resolve = async (term: string): Promise<MarketSummary> => {
    const m = MARKETS.find((x) => x.id === term || x.slug === term);
    if (m) return m;
    const hits = MARKETS.filter((x) => x.title.toLowerCase().includes(term.toLowerCase()));
    if (hits.length === 1) return hits[0]!;
    if (hits.length === 0) throw new TradingError('market_not_found', `No market matches "${term}".`);
    throw new TradingError('market_ambiguous', `"${term}" matches ${hits.length} markets.`, { candidates: hits.map((h) => h.id) });
  };

  const route = async (input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>): Promise<RouteDecision> => {
    const m = await resolve(input.marketId);
    const venues = input.exchange ? m.venues.filter((v) => v.venue === input.exchange) : m.venues;
    if (venues.length === 0) throw new TradingError('venue_not_listed', `${m.title} is not listed on ${input.exchange}.`);
    const quotes = venues.map((v) => quoteFor(v.venue, v.listingId));
    return { venue: quotes[0]!.venue, listingId: quotes[0]!.listingId, quotes, chosen: quotes[0]!, reason: 'cheapest', forced: !!input.exchange };
  };

  const alicePosition: PositionView = {
    id: randomUUID(),
    marketId: 'fed-cut-dec',
    marketTitle: 'Will the Fed cut rates in December?',
    listingId: 'fed-cut-dec:polymarket',
    exchange: 'polymarket',
    side: 'yes',
    quantity: D('10.000000'),
    avgPrice: D('0.43'),
    costBasis: D('4.3'),
    currentPrice: D('0.41'),
    marketValue: D('4.1'),
    unrealizedPnl: D('-0.2'),
    realizedPnl: D('0'),
    takeProfitPrice: D('0.6'),
    stopLossPrice: null,
  };
  const automation = createAutomationStub({ resolve, positions: (userId) => (userId === alice.user.id ? [alicePosition] : []) });

  const services: Services = {
    users: {
      ...userFeatureStub(),
      async createUser({ name }) {
        calls.push({ method: 'users.createUser', args: { name } });
        const { user, token } = addUser(name);
        return { user, apiToken: token };
      },
      async ensureChatUser() {
        throw new Error('not in the stub');
      },
      async authenticate(token) {
        return tokens.get(token) ?? null;
      },
      async get(id) {
        return users.find((u) => u.id === id) ?? null;
      },
      async list(args) {
        calls.push({ method: 'users.list', args });
        return users.slice(0, args?.limit ?? 100);
      },
      async identities() {
        return [];
      },
    },
    markets: {
      async list(args) {
        calls.push({ method: 'markets.list', args });
        return MARKETS.filter((m) => (!args.category || m.category === args.category) && (!args.query || m.title.toLowerCase().includes(args.query.toLowerCase())));
      },
      resolve,
    },
    trading: {
      async placeOrder(input) {
        calls.push({ method: 'trading.placeOrder', args: input });
        if (halt.halted) throw new TradingError('trading_halted', `Trading is halted: ${halt.reason ?? 'no reason given'}.`);
        if (input.idempotencyKey) {
          const prior = idem.get(`${input.userId}|${input.idempotencyKey}`);
          if (prior) return prior;
        }
        const r = await route(input);
        const now = new Date('2026-03-04T05:06:07.089Z');
        const quantity = input.quantity ?? input.amount!.div(D('0.43')).toDecimalPlaces(2, Decimal.ROUND_DOWN);
        const order: OrderView = {
          id: randomUUID(),
          userId: input.userId,
          marketId: r.chosen.listingId.split(':')[0]!,
          marketTitle: 'Will the Fed cut rates in December?',
          listingId: r.listingId,
          side: input.side,
          type: input.type,
          action: input.action,
          price: input.price ?? D('0.45'),
          quantity,
          amount: input.amount ?? null,
          filledQuantity: input.type === 'market' ? quantity : D('0'),
          avgFillPrice: input.type === 'market' ? D('0.4312345678') : null,
          fee: D('0.070000'),
          exchange: r.venue,
          source: input.source ?? 'manual',
          timeInForce: input.timeInForce ?? (input.type === 'market' ? 'FAK' : 'GTC'),
          status: input.type === 'market' ? 'filled' : 'pending',
          clientOrderId: `yn-${randomUUID()}`,
          venueOrderId: 'v-1',
          failureReason: null,
          copyTradeSubId: null,
          lateFillQuantity: D('0'),
          routing: { reason: r.reason },
          createdAt: now,
          updatedAt: now,
        };
        orders.push(order);
        if (input.idempotencyKey) idem.set(`${input.userId}|${input.idempotencyKey}`, order);
        return order;
      },
      async quote(input) {
        calls.push({ method: 'trading.quote', args: input });
        return route(input);
      },
      async cancelOrder({ userId, orderId }) {
        calls.push({ method: 'trading.cancelOrder', args: { userId, orderId } });
        const o = orders.find((x) => x.id === orderId && x.userId === userId);
        if (!o) throw new TradingError('order_not_found', `No order ${orderId}.`);
        if (o.status === 'filled' || o.status === 'cancelled' || o.status === 'failed') {
          throw new TradingError('not_cancellable', `Order ${orderId} is ${o.status} and can no longer be cancelled.`);
        }
        o.status = 'cancelled';
        return o;
      },
      async getOrder({ userId, orderId }) {
        const o = orders.find((x) => x.id === orderId && x.userId === userId);
        if (!o) throw new TradingError('order_not_found', `No order ${orderId}.`);
        return {
          ...o,
          fills: o.filledQuantity.isZero()
            ? []
            : [{ id: randomUUID(), venueTradeId: 't-1', price: D('0.43'), quantity: o.filledQuantity, fee: D('0.07'), late: false, filledAt: o.createdAt }],
        };
      },
      async listOrders(args) {
        calls.push({ method: 'trading.listOrders', args });
        return orders.filter((o) => o.userId === args.userId && (!args.status || args.status.includes(o.status))).slice(0, args.limit ?? 50);
      },
      async listPositions({ userId }) {
        return userId === alice.user.id ? [alicePosition] : [];
      },
      async getBalance() {
        return { venues: [{ venue: 'polymarket', available: D('995.62'), mode: 'paper' }, { venue: 'kalshi', available: D('1000'), mode: 'paper' }], total: D('1995.62') };
      },
    },
    automation,
    admin: {
      async halt({ actor, reason }) {
        Object.assign(halt, { halted: true, reason: reason ?? null, since: new Date('2026-05-06T07:08:09.000Z'), by: actor });
        return { ...halt };
      },
      async resume() {
        Object.assign(halt, { halted: false, reason: null, since: null, by: null });
        return { ...halt };
      },
      async haltState() {
        return { ...halt };
      },
      async listOrders(args) {
        calls.push({ method: 'admin.listOrders', args });
        return orders.filter((o) => (!args.userId || o.userId === args.userId) && (!args.status || args.status.includes(o.status))).slice(0, args.limit ?? 100);
      },
      async audit(entry) {
        audits.push(entry);
      },
    },
  };
  return { services, orders, audits, calls, alice, bob, halt, automation, alicePosition };
}

/** Builds the server on a fresh stub. */
export async function stubServer(over: Partial<HttpServerDeps> = {}) {
  const world = makeStub();
  const app = await buildHttpServer({ services: world.services, rateLimitPerMin: 1000, adminToken: ADMIN_TOKEN, ...over });
  return { app, world };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
