/**
 * TradingService against real Postgres and the real core: idempotency under concurrency, the
 * per-user and global maximum order size, a restart that keeps everything (and keeps resting orders
 * matching), and venue faults injected by test/fakes/faulty-venue.ts: retryable, rejected, unknown
 * outcome (placed and not placed), and a late fill on a cancelled order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../core/create-core.ts';
import type { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import { createPaperRegistry } from '../../core/exchanges/registry.ts';
import type { ExchangeAdapter, Venue, VenueOrder } from '../../core/exchanges/types.ts';
import { DEMO_CATALOG, demoConditionId, seedCatalog } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { Decimal, dec } from '../../core/money.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import { TradingError, type OrderView, type PlaceOrderInput } from '../../core/trading/types.ts';
import { FaultyVenue } from '../fakes/faulty-venue.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

const APPLE = 'apple-foldable-2026'; // Polymarket only
const NVDA = 'nvidia-largest-2026'; // Polymarket only
const TAYLOR = 'taylor-swift-album-2026'; // Polymarket only

async function tradingError(p: Promise<unknown>): Promise<TradingError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TradingError) return err;
    throw err;
  }
  throw new Error('expected a TradingError');
}

function buy(userId: string, over: Partial<PlaceOrderInput> = {}): PlaceOrderInput {
  return { userId, marketId: APPLE, side: 'yes', action: 'buy', type: 'market', amount: d('5'), source: 'manual', ...over };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function paperOf(core: Core, venue: Venue): PaperExchange {
  const a = core.adapters.get(venue);
  return (a instanceof FaultyVenue ? a.inner : a) as PaperExchange;
}

describe('idempotency and order-size limits (whole stack, no HTTP)', () => {
  let stack: TestStack;
  let core: Core;

  beforeAll(async () => {
    stack = await startTestStack({ MAX_ORDER_USD: '50' }, { http: false, workers: false });
    core = stack.core;
    stack.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.38', '1000')], asks: [lv('0.40', '5000')] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('50 concurrent placeOrder calls with one idempotency key → one order row, one venue order, 50 identical ids', async () => {
    const { user } = await core.users.createUser({ name: 'concurrent' });
    const input = buy(user.id, { idempotencyKey: 'same-key-50' });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => core.trading.placeOrder(input)));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<OrderView>).value.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await stack.db.prisma.order.count({ where: { userId: user.id } })).toBe(1);
    expect(await stack.db.prisma.paperOrder.count({ where: { accountId: user.id } })).toBe(1);
    const order = await core.trading.getOrder({ userId: user.id, orderId: id! });
    expect(order.status).toBe('filled');
    expect(order.filledQuantity.toFixed()).toBe('12.5'); // $5 at 0.40
    // A later retry with the same key replays the same order (not a second one).
    const again = await core.trading.placeOrder(input);
    expect(again.id).toBe(id);
    expect(again.status).toBe('filled');
    expect(await stack.db.prisma.order.count({ where: { userId: user.id } })).toBe(1);
  });

  it('an idempotency key reused for a different order → idempotency_conflict, nothing placed; keys are per user', async () => {
    const { user } = await core.users.createUser({ name: 'reuser' });
    const first = await core.trading.placeOrder(buy(user.id, { idempotencyKey: 'k-1' }));
    const differing: [string, Partial<PlaceOrderInput>][] = [
      ['another side', { side: 'no' }],
      ['another action', { action: 'sell', amount: undefined, quantity: d('5') }],
      ['another type', { type: 'limit', amount: undefined, quantity: d('10'), price: d('0.30') }],
      ['another market', { marketId: NVDA }],
      ['another amount', { amount: d('6') }],
      ['shares instead of dollars', { amount: undefined, quantity: d('12.5') }],
      ['a forced other venue', { exchange: 'kalshi' }],
    ];
    for (const [name, over] of differing) {
      const err = await tradingError(core.trading.placeOrder(buy(user.id, { idempotencyKey: 'k-1', ...over })));
      expect(err.code, name).toBe('idempotency_conflict');
      expect(err.message).toBe('This idempotency key was already used for a different order.');
    }
    expect(await stack.db.prisma.order.count({ where: { userId: user.id } })).toBe(1);

    // The same order under its market's slug (same id here) replays.
    expect((await core.trading.placeOrder(buy(user.id, { idempotencyKey: 'k-1' }))).id).toBe(first.id);
    // Another user's identical key is another order.
    const { user: other } = await core.users.createUser({ name: 'other' });
    const theirs = await core.trading.placeOrder(buy(other.id, { idempotencyKey: 'k-1' }));
    expect(theirs.id).not.toBe(first.id);
  });

  it('MAX_ORDER_USD caps every order by notional → max_order_size and no row', async () => {
    const { user } = await core.users.createUser({ name: 'capped' });
    const rows = () => stack.db.prisma.order.count({ where: { userId: user.id } });
    const byAmount = await tradingError(core.trading.placeOrder(buy(user.id, { amount: d('60') })));
    expect(byAmount.code).toBe('max_order_size');
    expect(byAmount.message).toBe('This order is worth about $60.00, above your per-order limit of $50.00.');
    expect(byAmount.details).toEqual({ limit: '50' });
    // A limit order's notional is quantity × price: 200 × 0.30 = $60.
    const limit = await tradingError(core.trading.placeOrder(buy(user.id, { type: 'limit', amount: undefined, quantity: d('200'), price: d('0.30') })));
    expect(limit.code).toBe('max_order_size');
    // A market buy by shares is valued at its slippage-guarded price: 120 × 0.42 = $50.40.
    const byShares = await tradingError(core.trading.placeOrder(buy(user.id, { amount: undefined, quantity: d('120') })));
    expect(byShares.code).toBe('max_order_size');
    expect(byShares.message).toMatch(/worth about \$50\.40/);
    expect(await rows()).toBe(0);
    // Exactly at the cap is allowed.
    const ok = await core.trading.placeOrder(buy(user.id, { amount: d('50') }));
    expect(ok.status).toBe('filled');
    expect(await rows()).toBe(1);
  });

  it("a user's own maxOrderUsd replaces the global cap (lower or higher)", async () => {
    const { user: low } = await core.users.createUser({ name: 'low-cap' });
    await stack.db.prisma.user.update({ where: { id: low.id }, data: { maxOrderUsd: '5' } });
    const err = await tradingError(core.trading.placeOrder(buy(low.id, { amount: d('10') })));
    expect(err.code).toBe('max_order_size');
    expect(err.message).toBe('This order is worth about $10.00, above your per-order limit of $5.00.');
    expect(await stack.db.prisma.order.count({ where: { userId: low.id } })).toBe(0);
    expect((await core.trading.placeOrder(buy(low.id, { amount: d('5') }))).status).toBe('filled');

    const { user: high } = await core.users.createUser({ name: 'high-cap' });
    await stack.db.prisma.user.update({ where: { id: high.id }, data: { maxOrderUsd: '100' } });
    expect((await core.trading.placeOrder(buy(high.id, { amount: d('60') }))).status).toBe('filled');
    const over = await tradingError(core.trading.placeOrder(buy(high.id, { amount: d('100.01') })));
    expect(over.code).toBe('max_order_size');
    expect(await stack.db.prisma.order.count({ where: { userId: high.id } })).toBe(1);
  });
});

describe('order sync', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({}, { http: false, workers: false });
    stack.feed.setBook('polymarket', demoConditionId(NVDA), { bids: [lv('0.38', '1000')], asks: [lv('0.60', '5000')] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('finds what the venue did while no event reached us, across several pages, and rewrites nothing unchanged', async () => {
    const { core } = stack;
    const { user } = await core.users.createUser({ name: 'sync' });
    const orders = [];
    for (let i = 0; i < 5; i++) {
      orders.push(await core.trading.placeOrder({ userId: user.id, marketId: NVDA, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.30') }));
    }
    expect(orders.every((o) => o.status === 'pending')).toBe(true);
    // An untouched resting order, then two pages of orders the venue cancelled behind our back.
    const keep = await core.trading.placeOrder({ userId: user.id, marketId: NVDA, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.31') });
    core.detach();
    const venue = paperOf(core, 'polymarket');
    for (const o of orders) await venue.cancelOrder({ account: { userId: user.id }, venueOrderId: o.venueOrderId! });
    const keptBefore = await stack.db.prisma.order.findUniqueOrThrow({ where: { id: keep.id } });

    expect(await core.trading.reconcileOpenOrders({ pageSize: 2 })).toBe(5);
    for (const o of orders) expect((await core.trading.getOrder({ userId: user.id, orderId: o.id })).status).toBe('cancelled');
    const keptAfter = await stack.db.prisma.order.findUniqueOrThrow({ where: { id: keep.id } });
    expect(keptAfter.status).toBe('pending');
    expect(keptAfter.updatedAt.getTime()).toBe(keptBefore.updatedAt.getTime());
    expect(await core.trading.reconcileOpenOrders({ pageSize: 2 })).toBe(0);
  });
});

describe('restart keeps everything', () => {
  let db: TestDatabase;
  let first: TestStack | null = null;
  let second: TestStack | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await db?.drop();
  });

  async function snapshot(stack: TestStack, userId: string) {
    const p = stack.db.prisma;
    // First: getBalance opens a paper account on every venue.
    const balance = await stack.core.trading.getBalance({ userId });
    const [orders, fills, positions, paperAccounts, paperOrders] = await Promise.all([
      p.order.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
      p.fill.findMany({ where: { order: { userId } }, orderBy: { venueTradeId: 'asc' } }),
      p.position.findMany({ where: { userId }, orderBy: { listingId: 'asc' } }),
      p.paperAccount.findMany({ where: { accountId: userId }, orderBy: { venue: 'asc' } }),
      p.paperOrder.findMany({ where: { accountId: userId }, orderBy: { createdAt: 'asc' } }),
    ]);
    const views = await stack.core.trading.listPositions({ userId });
    return JSON.parse(
      JSON.stringify({
        // The order sync at start rewrites each open order's venue state (same values) and so bumps
        // updatedAt; every other column must be identical.
        orders: orders.map(({ updatedAt: _u, ...o }) => o),
        fills,
        positions,
        paperAccounts: paperAccounts.map((a) => ({ venue: a.venue, cash: a.cash })),
        paperOrders,
        balance,
        views: views.map((v) => ({ ...v, currentPrice: null, marketValue: null, unrealizedPnl: null })),
      }),
    );
  }

  it('orders, fills, positions and balances survive a restart, and the resting order still fills after it', async () => {
    first = await startTestStack({}, { http: false, db });
    const { user } = await first.core.users.createUser({ name: 'restarter' });
    first.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.38', '100')], asks: [lv('0.40', '10'), lv('0.42', '100')] });
    const filled = await first.core.trading.placeOrder(buy(user.id, { amount: d('10') }));
    expect(filled.status).toBe('filled');
    const resting = await first.core.trading.placeOrder(buy(user.id, { marketId: TAYLOR, type: 'limit', amount: undefined, quantity: d('20'), price: d('0.30') }));
    expect(resting.status).toBe('pending');
    const before = await snapshot(first, user.id);
    expect(before.orders).toHaveLength(2);
    expect(before.fills).toHaveLength(2);
    expect(before.positions).toHaveLength(1);
    await first.stop();
    first = null;

    second = await startTestStack({}, { http: false, db });
    // Same user, same token store: the core answers exactly as before.
    expect(await snapshot(second, user.id)).toEqual(before);
    const reloaded = await second.core.trading.getOrder({ userId: user.id, orderId: resting.id });
    expect(reloaded.status).toBe('pending');
    expect((await second.core.trading.listOrders({ userId: user.id })).map((o) => o.id).sort()).toEqual([filled.id, resting.id].sort());

    // The market falls through the resting bid: the paper venue of the new process fills it.
    second.feed.setBook('polymarket', demoConditionId(TAYLOR), { bids: [lv('0.25', '100')], asks: [lv('0.28', '100')] });
    await paperOf(second.core, 'polymarket').idle();
    const after = await until(
      () => second!.core.trading.getOrder({ userId: user.id, orderId: resting.id }),
      (o) => o.status === 'filled',
    );
    expect(after.status).toBe('filled');
    expect(after.filledQuantity.toFixed()).toBe('20');
    expect(after.avgFillPrice?.toFixed()).toBe('0.3');
    const positions = await second.core.trading.listPositions({ userId: user.id });
    expect(positions.map((p) => [p.marketId, p.quantity.toFixed()]).sort()).toEqual([
      [APPLE, '24.28'],
      [TAYLOR, '20'],
    ]);
    // The reserve taken at placement paid for the fill: cash = 1000 − 9.9976 − 20 × 0.30.
    const balance = await second.core.trading.getBalance({ userId: user.id });
    expect(balance.venues.find((v) => v.venue === 'polymarket')?.available.toFixed()).toBe('984.0024');
  });
});

describe('venue faults (createCore with a fault-injecting adapter)', () => {
  let db: TestDatabase;
  let feed: SyntheticMarketFeed;
  let paper: Map<Venue, ExchangeAdapter>;
  let faulty: FaultyVenue;
  let core: Core;
  let userId: string;
  const sent: { queue: string; data: Record<string, unknown> }[] = [];
  const jobs: JobPort = {
    async send(args) {
      sent.push({ queue: args.queue, data: args.data });
    },
  };
  const cond = demoConditionId(APPLE);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
    paper = createPaperRegistry({ prisma: db.prisma, feed, startingBalance: d('1000') });
    faulty = new FaultyVenue(paper.get('polymarket')!);
    const adapters = new Map<Venue, ExchangeAdapter>([
      ['polymarket', faulty],
      ['kalshi', paper.get('kalshi')!],
    ]);
    core = await createCore({
      prisma: db.prisma,
      jobs,
      adapters,
      settings: { mode: 'paper', maxOrderUsd: d('10000'), defaultSlippage: d('0.05') },
      lookupRetries: { attempts: 3, delayMs: 5 },
    });
    userId = (await db.prisma.user.create({ data: { name: 'faults' } })).id;
  });
  afterAll(async () => {
    core?.detach();
    faulty?.close();
    paper?.forEach((a) => (a as PaperExchange).close());
    await db?.drop();
  });

  const books = () => feed.setBook('polymarket', cond, { bids: [lv('0.38', '100')], asks: [lv('0.40', '100')] });
  const paperOrders = (clientOrderId: string) => db.prisma.paperOrder.count({ where: { clientOrderId } });

  it("retryable → the order fails with a readable reason, nothing is placed, and it is not retried blindly", async () => {
    books();
    faulty.failNextPlace({ kind: 'retryable', message: '503 Service Unavailable' });
    const calls = faulty.placeCalls.length;
    const order = await core.trading.placeOrder(buy(userId));
    expect(order.status).toBe('failed');
    expect(order.failureReason).toBe('polymarket is unavailable right now (503 Service Unavailable); nothing was placed.');
    expect(faulty.placeCalls.length).toBe(calls + 1);
    expect(await paperOrders(order.clientOrderId)).toBe(0);
    expect(order.filledQuantity.toFixed()).toBe('0');
    expect(await db.prisma.position.count({ where: { userId } })).toBe(0);
    const outbox = await db.prisma.notificationOutbox.findMany({ where: { orderId: order.id } });
    expect(outbox.map((r) => (r.payload as { status: string }).status)).toEqual(['failed']);
  });

  it("rejected → the order fails with the venue's reason, nothing placed", async () => {
    books();
    faulty.failNextPlace({ kind: 'rejected', code: 'MARKET_CLOSED', message: 'the market is closed for trading' });
    const order = await core.trading.placeOrder(buy(userId));
    expect(order.status).toBe('failed');
    expect(order.failureReason).toBe('polymarket rejected the order: the market is closed for trading');
    expect(await paperOrders(order.clientOrderId)).toBe(0);
  });

  it('unknown outcome after the venue placed it → looked up by client id, filled, placed exactly once', async () => {
    books();
    faulty.failNextPlace({ kind: 'unknown_outcome', placeFirst: true, message: 'socket hang up' });
    const calls = faulty.placeCalls.length;
    const order = await core.trading.placeOrder(buy(userId, { amount: d('4') }));
    expect(order.status).toBe('filled');
    expect(order.failureReason).toBeNull();
    expect(order.filledQuantity.toFixed()).toBe('10');
    expect(order.avgFillPrice?.toFixed()).toBe('0.4');
    expect(order.venueOrderId).toMatch(/^0x/);
    expect(faulty.placeCalls.length).toBe(calls + 1); // never sent twice
    expect(faulty.lookups).toContain(order.clientOrderId);
    expect(await paperOrders(order.clientOrderId)).toBe(1);
    const fills = await db.prisma.fill.findMany({ where: { orderId: order.id } });
    expect(fills.map((f) => [dec(f.price).toFixed(), dec(f.quantity).toFixed()])).toEqual([['0.4', '10']]);
    const pos = await db.prisma.position.findFirstOrThrow({ where: { userId, marketId: APPLE } });
    expect(dec(pos.quantity).toFixed()).toBe('10');
  });

  it('unknown outcome without placing → looked up (every attempt), not found, failed, nothing placed', async () => {
    books();
    faulty.failNextPlace({ kind: 'unknown_outcome', message: 'request timed out' });
    const lookups = faulty.lookups.length;
    const order = await core.trading.placeOrder(buy(userId));
    expect(order.status).toBe('failed');
    expect(order.failureReason).toBe('polymarket did not confirm the order and it was not found there; nothing was placed.');
    expect(faulty.lookups.slice(lookups)).toEqual([order.clientOrderId, order.clientOrderId, order.clientOrderId]);
    expect(await paperOrders(order.clientOrderId)).toBe(0);
  });

  it('a late fill on a cancelled order is recorded: lateFillQuantity, a late Fill row, an outbox row with late=true', async () => {
    books();
    const placed = await core.trading.placeOrder(buy(userId, { marketId: APPLE, type: 'limit', amount: undefined, quantity: d('10'), price: d('0.30') }));
    expect(placed.status).toBe('pending');
    const cancelled = await core.trading.cancelOrder({ userId, orderId: placed.id });
    expect(cancelled.status).toBe('cancelled');
    const posBefore = await db.prisma.position.findFirstOrThrow({ where: { userId, marketId: APPLE } });

    // The venue reports a fill that happened just before the cancel took effect.
    const late: VenueOrder = {
      venueOrderId: placed.venueOrderId!,
      clientOrderId: placed.clientOrderId,
      status: 'cancelled',
      quantity: d('10'),
      filledQuantity: d('4'),
      fills: [{ venueTradeId: `${placed.venueOrderId}-late-1`, venueOrderId: placed.venueOrderId!, price: d('0.30'), quantity: d('4'), fee: d('0'), filledAt: new Date() }],
    };
    const sentBefore = sent.length;
    faulty.emit({ venue: 'polymarket', clientOrderId: placed.clientOrderId, order: late });
    const after = await until(
      () => core.trading.getOrder({ userId, orderId: placed.id }),
      (o) => o.lateFillQuantity.gt(0),
    );
    expect(after.status).toBe('cancelled'); // terminal states absorb
    expect(after.lateFillQuantity.toFixed()).toBe('4');
    expect(after.filledQuantity.toFixed()).toBe('4');
    expect(after.fills?.map((f) => [f.venueTradeId, f.quantity.toFixed(), f.late])).toEqual([[`${placed.venueOrderId}-late-1`, '4', true]]);
    const outbox = await db.prisma.notificationOutbox.findMany({ where: { orderId: placed.id, kind: 'order_fill' } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.payload).toMatchObject({ kind: 'order_fill', orderId: placed.id, quantity: '4', price: '0.3', late: true });
    expect(sent.slice(sentBefore)).toContainEqual({ queue: 'notify', data: { outboxId: outbox[0]!.id } });
    // The shares are the user's: the position grew by the late fill.
    const posAfter = await db.prisma.position.findFirstOrThrow({ where: { userId, marketId: APPLE } });
    expect(dec(posAfter.quantity).sub(dec(posBefore.quantity)).toFixed()).toBe('4');

    // The same event again changes nothing (fills are stored once).
    faulty.emit({ venue: 'polymarket', clientOrderId: placed.clientOrderId, order: late });
    await new Promise((r) => setTimeout(r, 100));
    const again = await core.trading.getOrder({ userId, orderId: placed.id });
    expect(again.lateFillQuantity.toFixed()).toBe('4');
    expect(await db.prisma.fill.count({ where: { orderId: placed.id } })).toBe(1);
  });
});
