/**
 * A small in-memory stand-in for core Services, for unit tests of bots/commands.
 * It records every trading call; its behaviour is deliberately simple (one price level per book).
 */
import { randomUUID } from 'node:crypto';
import { Decimal, ONE, ZERO } from '../../core/money.ts';
import type { Venue } from '../../core/exchanges/types.ts';
import type { Services } from '../../core/services.ts';
import {
  TradingError,
  type BalanceView,
  type MarketSummary,
  type OrderView,
  type PlaceOrderInput,
  type PositionView,
  type RouteDecision,
  type VenueQuote,
} from '../../core/trading/types.ts';
import type { UserView } from '../../core/users/types.ts';
import { createAutomationStub, type AutomationStub } from './automation-stub.ts';
import { userFeatureStub } from './users-feature-stub.ts';

const d = (s: string) => new Decimal(s);

function venue(v: Venue, id: string, venueMarketId: string, bid: string, ask: string): MarketSummary['venues'][number] {
  return { venue: v, listingId: `${id}:${v}`, venueMarketId, tickSize: d('0.01'), minSize: d('1'), yesBid: d(bid), yesAsk: d(ask) };
}

export const MARKETS: MarketSummary[] = [
  {
    id: 'mkt-fed',
    slug: 'fed-cut',
    title: 'Fed cuts rates in December?',
    category: 'economics',
    status: 'open',
    venues: [venue('polymarket', 'mkt-fed', '0xfed', '0.41', '0.43'), venue('kalshi', 'mkt-fed', 'KXFEDCUT-25DEC', '0.40', '0.44')],
  },
  {
    id: 'mkt-btc',
    slug: 'btc-100k',
    title: 'Bitcoin above $100k on Dec 31?',
    category: 'crypto',
    status: 'open',
    venues: [venue('polymarket', 'mkt-btc', '0xbtc', '0.55', '0.57')],
  },
  {
    id: 'mkt-rain',
    slug: 'nyc-rain',
    title: 'Rain in NYC tomorrow?',
    category: 'weather',
    status: 'open',
    venues: [venue('kalshi', 'mkt-rain', 'KXRAINNYC-26', '0.20', '0.22')],
  },
  {
    id: 'mkt-fed-jan',
    slug: 'fed-hike-jan',
    title: 'Fed hikes rates in January?',
    category: 'economics',
    status: 'closed',
    venues: [venue('kalshi', 'mkt-fed-jan', 'KXFEDHIKE-26JAN', '0.05', '0.07')],
  },
];

export interface StubOptions {
  /** Throw this from placeOrder. */
  placeError?: Error;
  /** Status of placed orders (default: market → filled, limit → pending). */
  placeStatus?: OrderView['status'];
  skipConfirmBelowUsd?: Decimal | null;
  /** Make placeOrder wait for this promise (to test concurrent confirms). */
  placeGate?: Promise<void>;
}

export interface StubServices extends Services {
  calls: { placeOrder: PlaceOrderInput[]; quote: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>[]; cancelOrder: string[]; ensureChatUser: unknown[] };
  orders: OrderView[];
  positions: PositionView[];
  opts: StubOptions;
  /** Snipers and TP/SL (positions are this stub's `positions`). */
  automation: AutomationStub;
}

function search(term: string): MarketSummary[] {
  const words = term.toLowerCase().split(/\s+/).filter(Boolean);
  return MARKETS.filter((m) => {
    const hay = [m.id, m.slug, m.title, m.category, ...m.venues.map((v) => v.venueMarketId)].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function createStubServices(opts: StubOptions = {}): StubServices {
  const calls: StubServices['calls'] = { placeOrder: [], quote: [], cancelOrder: [], ensureChatUser: [] };
  const orders: OrderView[] = [];
  const positions: PositionView[] = [];
  const users = new Map<string, UserView>();
  const byKey = new Map<string, OrderView>();

  const resolve = async (term: string): Promise<MarketSummary> => {
    const t = term.trim();
    const exact = MARKETS.find((m) => m.id === t || m.slug === t.toLowerCase() || m.venues.some((v) => v.venueMarketId.toUpperCase() === t.toUpperCase()));
    if (exact) return exact;
    const found = search(t);
    if (found.length === 1) return found[0]!;
    if (found.length === 0) throw new TradingError('market_not_found', `No market matches "${t}". Try /markets to search.`);
    throw new TradingError('market_ambiguous', `"${t}" matches ${found.length} markets: ${found.map((m) => m.id).join('; ')}. Use the market id.`, {
      candidates: found.map((m) => m.id),
    });
  };

  const quoteFor = (m: MarketSummary, v: MarketSummary['venues'][number], input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>): VenueQuote => {
    const yes = input.side === 'yes';
    const ask = yes ? v.yesAsk! : ONE.sub(v.yesBid!);
    const bid = yes ? v.yesBid! : ONE.sub(v.yesAsk!);
    const px = input.action === 'buy' ? ask : bid;
    let qty = input.quantity ?? (input.amount ? input.amount.div(px).toDecimalPlaces(2, Decimal.ROUND_DOWN) : ZERO);
    if (input.type === 'limit' && input.price && (input.action === 'buy' ? px.gt(input.price) : px.lt(input.price))) qty = ZERO;
    const notional = qty.mul(px);
    const fee = v.venue === 'kalshi' ? notional.mul('0.01').toDecimalPlaces(2, Decimal.ROUND_UP) : ZERO;
    void m;
    return {
      venue: v.venue,
      listingId: v.listingId,
      fillable: true,
      quantity: qty,
      avgPrice: qty.isZero() ? null : px,
      worstPrice: qty.isZero() ? null : px,
      notional,
      fee,
      total: input.action === 'buy' ? notional.add(fee) : notional.sub(fee),
      bestBid: bid,
      bestAsk: ask,
    };
  };

  const services: StubServices = {
    calls,
    orders,
    positions,
    opts,
    markets: {
      async list({ query, limit }) {
        return (query ? search(query) : MARKETS).slice(0, limit ?? 50);
      },
      resolve,
    },
    users: {
      ...userFeatureStub(),
      async createUser() {
        throw new Error('not in stub');
      },
      async ensureChatUser(args) {
        calls.ensureChatUser.push(args);
        const key = `${args.platform}:${args.externalId}`;
        let u = users.get(key);
        if (!u) {
          u = { id: randomUUID(), name: args.name, maxOrderUsd: null, skipConfirmBelowUsd: opts.skipConfirmBelowUsd ?? null, createdAt: new Date() };
          users.set(key, u);
        }
        return u;
      },
      async authenticate() {
        return null;
      },
      async get(id) {
        return [...users.values()].find((u) => u.id === id) ?? null;
      },
      async list() {
        return [...users.values()];
      },
      async identities(userId) {
        return [...users.entries()].filter(([, u]) => u.id === userId).map(([k]) => ({ platform: k.split(':')[0] as 'console', externalId: k.slice(k.indexOf(':') + 1), chatId: null }));
      },
    },
    admin: {} as Services['admin'],
    automation: createAutomationStub({ resolve, positions: () => positions }),
    trading: {
      async quote(input): Promise<RouteDecision> {
        calls.quote.push(input);
        const m = await resolve(input.marketId);
        if (m.status !== 'open') throw new TradingError('market_closed', `${m.title} is ${m.status}; it cannot be traded.`);
        let vs = m.venues;
        if (input.exchange) {
          vs = vs.filter((v) => v.venue === input.exchange);
          if (vs.length === 0) throw new TradingError('venue_not_listed', `This market is not listed on ${input.exchange}; it trades on ${m.venues.map((v) => v.venue).join(' and ')}.`);
        }
        if (input.action === 'sell') {
          const held = positions.filter((p) => p.marketId === m.id && p.side === input.side);
          if (held.length === 0) throw new TradingError('no_position', `You have no ${input.side.toUpperCase()} shares of this market to sell.`);
        }
        const quotes = vs.map((v) => quoteFor(m, v, input));
        const chosen = [...quotes].sort((a, b) => (input.action === 'buy' ? a.total.cmp(b.total) : b.total.cmp(a.total)))[0]!;
        return {
          venue: chosen.venue,
          listingId: chosen.listingId,
          quotes,
          chosen,
          forced: Boolean(input.exchange),
          reason: input.exchange ? `${chosen.venue}: you chose this venue.` : quotes.length === 1 ? `${chosen.venue}: the only venue that lists this market.` : `${chosen.venue}: cheaper than the other venue, fees included.`,
        };
      },
      async placeOrder(input) {
        calls.placeOrder.push(input);
        if (opts.placeGate) await opts.placeGate;
        if (opts.placeError) throw opts.placeError;
        if (input.idempotencyKey && byKey.has(input.idempotencyKey)) return byKey.get(input.idempotencyKey)!;
        const route = await services.trading.quote(input);
        const m = await resolve(input.marketId);
        const status = opts.placeStatus ?? (input.type === 'market' ? 'filled' : 'pending');
        const q = route.chosen;
        const now = new Date();
        const order: OrderView = {
          id: randomUUID(),
          userId: input.userId,
          marketId: m.id,
          marketTitle: m.title,
          listingId: route.listingId,
          side: input.side,
          type: input.type,
          action: input.action,
          price: input.price ?? q.worstPrice ?? d('0.5'),
          quantity: input.quantity ?? q.quantity,
          amount: input.amount ?? null,
          filledQuantity: status === 'filled' ? q.quantity : ZERO,
          avgFillPrice: status === 'filled' ? q.avgPrice : null,
          fee: status === 'filled' ? q.fee : ZERO,
          exchange: route.venue,
          source: input.source ?? 'manual',
          timeInForce: input.type === 'market' ? 'FAK' : 'GTC',
          status,
          clientOrderId: `yn-${randomUUID()}`,
          venueOrderId: 'v-1',
          failureReason: status === 'failed' ? 'polymarket rejected the order: not enough balance' : null,
          copyTradeSubId: null,
          lateFillQuantity: ZERO,
          routing: null,
          createdAt: now,
          updatedAt: now,
          fills: [],
        };
        orders.unshift(order);
        if (input.idempotencyKey) byKey.set(input.idempotencyKey, order);
        return order;
      },
      async cancelOrder({ userId, orderId }) {
        calls.cancelOrder.push(orderId);
        const o = orders.find((x) => x.id === orderId && x.userId === userId);
        if (!o) throw new TradingError('order_not_found', `No order ${orderId.slice(0, 8)} of yours.`);
        if (['filled', 'cancelled', 'failed'].includes(o.status)) throw new TradingError('not_cancellable', `Order ${orderId.slice(0, 8)} is already ${o.status}; there is nothing to cancel.`);
        o.status = 'cancelled';
        o.failureReason = 'cancelled by you';
        return o;
      },
      async getOrder({ userId, orderId }) {
        const o = orders.find((x) => x.id === orderId && x.userId === userId);
        if (!o) throw new TradingError('order_not_found', `No order ${orderId.slice(0, 8)} of yours.`);
        return o;
      },
      async listOrders({ userId, status, limit }) {
        return orders.filter((o) => o.userId === userId && (!status || status.includes(o.status))).slice(0, limit ?? 50);
      },
      async listPositions() {
        return positions;
      },
      async getBalance(): Promise<BalanceView> {
        return {
          venues: [
            { venue: 'polymarket', available: d('1000'), mode: 'paper' },
            { venue: 'kalshi', available: d('987.5'), mode: 'paper' },
          ],
          total: d('1987.5'),
        };
      },
    },
  };
  return services;
}

export function position(p: Partial<PositionView> & Pick<PositionView, 'marketId' | 'side' | 'quantity' | 'exchange'>): PositionView {
  const avgPrice = p.avgPrice ?? d('0.40');
  const costBasis = p.costBasis ?? p.quantity.mul(avgPrice);
  const currentPrice = p.currentPrice === undefined ? d('0.45') : p.currentPrice;
  const marketValue = currentPrice ? currentPrice.mul(p.quantity) : null;
  return {
    id: randomUUID(),
    marketTitle: MARKETS.find((m) => m.id === p.marketId)?.title ?? p.marketId,
    listingId: `${p.marketId}:${p.exchange}`,
    avgPrice,
    costBasis,
    currentPrice,
    marketValue,
    unrealizedPnl: marketValue ? marketValue.sub(costBasis) : null,
    realizedPnl: ZERO,
    takeProfitPrice: null,
    stopLossPrice: null,
    ...p,
  };
}
