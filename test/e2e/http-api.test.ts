/**
 * The HTTP API end to end: the whole yesno process (startTestStack: real core, paper venues, Postgres,
 * pg-boss) driven over real HTTP with fetch. Prices only move when a test moves them (feed.setMid /
 * setBook), so every figure below is exact. Decimal values are asserted as exact strings.
 *
 * The second half is a table of bad input for every endpoint: each case must answer a 4xx with the
 * documented code and a message naming the problem, create no order row, and never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { demoConditionId } from '../../core/markets/catalog.ts';
import type { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import type { Venue } from '../../core/exchanges/types.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const DEC = /^-?\d+(\.\d+)?$/;

// Markets of the demo catalog used here (each test keeps to its own, so books do not interfere).
const APPLE = 'apple-foldable-2026'; // Polymarket only: buy, positions, sell
const TAYLOR = 'taylor-swift-album-2026'; // Polymarket only: a resting limit crossed by setMid
const NVDA = 'nvidia-largest-2026'; // Polymarket only: a partial fill via setBook, cancel
const FED = 'fed-cut-dec-2026'; // both venues: routing
const FED_KALSHI = 'KXFEDCUT-26DEC';
const STARSHIP = 'starship-refuel-2026'; // Polymarket only: an empty ask side
const ETH = 'eth-5k-2026'; // Polymarket, tick 0.001
const HOT = 'hottest-year-2026'; // Kalshi only (whole contracts)
const BAD_INPUT = 'time-poy-ai-2026'; // Polymarket only: the valid base of the bad-input table

const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

let stack: TestStack;
let base: string;
/** Every response of this file, to prove none was a 5xx. */
const seen: { method: string; path: string; status: number }[] = [];

interface Res {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

interface ReqOpts {
  /** Bearer token; null sends no Authorization header. */
  token?: string | null;
  /** A JSON body (serialised here, Content-Type application/json). */
  json?: unknown;
  /** A raw body, sent as is with `contentType`. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

async function call(method: string, path: string, opts: ReqOpts = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = opts.contentType ?? 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    if (opts.contentType) headers['content-type'] = opts.contentType;
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  seen.push({ method, path, status: res.status });
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const admin = (method: string, path: string, opts: ReqOpts = {}) => call(method, path, { token: ADMIN_TOKEN, ...opts });

async function newUser(name: string): Promise<{ id: string; token: string }> {
  const res = await admin('POST', '/admin/users', { json: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, token: res.body.apiToken };
}

function order(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call('POST', '/api/v1/trading/order', { token, json: body, headers });
}

function paper(venue: Venue): PaperExchange {
  return stack.core.adapters.get(venue) as PaperExchange;
}

const orderRows = () => stack.db.prisma.order.count();

/** Polls GET /orders/:id (after the paper venue's background work settled) until `done` holds. */
async function pollOrder(token: string, id: string, done: (o: Record<string, unknown>) => boolean, timeoutMs = 5_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await Promise.all([paper('polymarket').idle(), paper('kalshi').idle()]);
    const res = await call('GET', `/api/v1/trading/orders/${id}`, { token });
    expect(res.status).toBe(200);
    if (done(res.body.order) || Date.now() > until) return res.body.order;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Asserts every listed field of `obj` is a decimal string (not a JSON number). */
function decimalStrings(obj: Record<string, unknown>, keys: string[]) {
  for (const k of keys) {
    expect(typeof obj[k], `${k} is a string`).toBe('string');
    expect(obj[k], `${k} is a decimal`).toMatch(DEC);
  }
}

beforeAll(async () => {
  stack = await startTestStack({ ADMIN_TOKEN, RATE_LIMIT_PER_MIN: '100000' });
  base = stack.address!;
});

afterAll(async () => {
  await stack?.stop();
});

describe('admin: users', () => {
  it('POST /admin/users creates a user and returns its API token once; GET /admin/users lists it', async () => {
    const res = await admin('POST', '/admin/users', { json: { name: 'ann' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ name: 'ann', maxOrderUsd: null, skipConfirmBelowUsd: null });
    expect(res.body.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.apiToken).toMatch(/^yn_[\w-]{20,}$/);
    const list = await admin('GET', '/admin/users');
    expect(list.status).toBe(200);
    expect(list.body.users.map((u: { id: string }) => u.id)).toContain(res.body.user.id);
    // The token works; the plaintext is not stored.
    const me = await call('GET', '/api/v1/balance', { token: res.body.apiToken });
    expect(me.status).toBe(200);
    const tokens = await stack.db.prisma.apiToken.findMany({ where: { userId: res.body.user.id } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).not.toContain(res.body.apiToken);
  });
});

describe('markets', () => {
  let user: { id: string; token: string };
  beforeAll(async () => {
    user = await newUser('market-reader');
  });

  it('GET /api/v1/markets lists the catalog with per-venue listings; q and category filter it', async () => {
    const all = await call('GET', '/api/v1/markets?limit=200', { token: user.token });
    expect(all.status).toBe(200);
    expect(all.body.markets.length).toBeGreaterThanOrEqual(20);
    const fed = all.body.markets.find((m: { id: string }) => m.id === FED);
    expect(fed).toMatchObject({ id: FED, slug: FED, category: 'economics', status: 'open' });
    expect(fed.venues.map((v: { venue: string }) => v.venue).sort()).toEqual(['kalshi', 'polymarket']);
    expect(all.body.markets.filter((m: { venues: unknown[] }) => m.venues.length === 2).length).toBeGreaterThanOrEqual(5);

    const crypto = await call('GET', '/api/v1/markets?category=crypto', { token: user.token });
    expect(crypto.status).toBe(200);
    expect(crypto.body.markets.length).toBeGreaterThan(0);
    expect(crypto.body.markets.every((m: { category: string }) => m.category === 'crypto')).toBe(true);

    const q = await call('GET', `/api/v1/markets?q=${encodeURIComponent('fed cut')}`, { token: user.token });
    expect(q.body.markets.map((m: { id: string }) => m.id)).toEqual([FED]);

    const limited = await call('GET', '/api/v1/markets?limit=3', { token: user.token });
    expect(limited.body.markets).toHaveLength(3);
  });

  it('GET /api/v1/markets/:id gives YES and NO bid/ask on each venue as decimal strings', async () => {
    stack.feed.setBook('polymarket', demoConditionId(FED), { bids: [lv('0.55', '100')], asks: [lv('0.58', '100')] });
    stack.feed.setBook('kalshi', FED_KALSHI, { bids: [lv('0.54', '100')], asks: [lv('0.57', '100')] });
    const res = await call('GET', `/api/v1/markets/${FED}`, { token: user.token });
    expect(res.status).toBe(200);
    const byVenue = Object.fromEntries(res.body.market.venues.map((v: { venue: string }) => [v.venue, v]));
    expect(byVenue.polymarket).toMatchObject({
      listingId: `${FED}:polymarket`,
      venueMarketId: demoConditionId(FED),
      tickSize: '0.01',
      minSize: '5',
      yesBid: '0.55',
      yesAsk: '0.58',
      noBid: '0.42',
      noAsk: '0.45',
    });
    expect(byVenue.kalshi).toMatchObject({ venueMarketId: FED_KALSHI, tickSize: '0.01', minSize: '1', yesBid: '0.54', yesAsk: '0.57', noBid: '0.43', noAsk: '0.46' });
    // By slug, by venue market id, by an unambiguous search term: the same market.
    for (const term of [FED_KALSHI, 'FOMC']) {
      const r = await call('GET', `/api/v1/markets/${encodeURIComponent(term)}`, { token: user.token });
      expect(r.status).toBe(200);
      expect(r.body.market.id).toBe(FED);
    }
  });
});

describe('trading over HTTP', () => {
  let ann: { id: string; token: string };
  let bob: { id: string; token: string };
  beforeAll(async () => {
    ann = await newUser('ann-trader');
    bob = await newUser('bob-trader');
  });

  it('a market buy by amount → 201 filled, every decimal an exact string, fills on GET /orders/:id', async () => {
    stack.feed.setBook('polymarket', demoConditionId(APPLE), {
      bids: [lv('0.38', '100'), lv('0.37', '100')],
      asks: [lv('0.40', '10'), lv('0.42', '100')],
    });
    const rowsBefore = await orderRows();
    const res = await order(ann.token, { marketId: APPLE, side: 'yes', action: 'buy', type: 'market', amount: '10' });
    expect(res.status).toBe(201);
    const o = res.body.order;
    // $10 walks the asks: 10 @ 0.40 ($4.00), then 14.28 @ 0.42 ($5.9976); fee-free on Polymarket.
    expect(o).toMatchObject({
      status: 'filled',
      side: 'yes',
      type: 'market',
      action: 'buy',
      exchange: 'polymarket',
      source: 'manual',
      timeInForce: 'FAK',
      marketId: APPLE,
      amount: '10',
      quantity: '24.28',
      filledQuantity: '24.28',
      avgFillPrice: '0.411763',
      fee: '0',
      lateFillQuantity: '0',
      price: '0.45', // the slippage guard: worst level 0.42 × 1.05, up to the tick
      failureReason: null,
    });
    decimalStrings(o, ['price', 'quantity', 'amount', 'filledQuantity', 'avgFillPrice', 'fee', 'lateFillQuantity']);
    expect(o.clientOrderId).toMatch(/^yn-/);
    expect(o.venueOrderId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(o.routing).toMatchObject({ venue: 'polymarket', forced: false, reason: 'polymarket: the only venue that lists this market.' });
    expect(new Date(o.createdAt).toISOString()).toBe(o.createdAt);
    expect(await orderRows()).toBe(rowsBefore + 1);

    const got = await call('GET', `/api/v1/trading/orders/${o.id}`, { token: ann.token });
    expect(got.status).toBe(200);
    expect(got.body.order.fills.map((f: Record<string, unknown>) => [f.price, f.quantity, f.fee, f.late])).toEqual([
      ['0.4', '10', '0', false],
      ['0.42', '14.28', '0', false],
    ]);
    const list = await call('GET', '/api/v1/trading/orders?status=filled', { token: ann.token });
    expect(list.body.orders.map((x: { id: string }) => x.id)).toContain(o.id);
  });

  it('positions carry PnL at the best bid; selling realises it; balance reflects both', async () => {
    const pos = await call('GET', '/api/v1/positions', { token: ann.token });
    expect(pos.status).toBe(200);
    expect(pos.body.positions).toHaveLength(1);
    const p = pos.body.positions[0];
    expect(p).toMatchObject({
      marketId: APPLE,
      exchange: 'polymarket',
      side: 'yes',
      quantity: '24.28',
      avgPrice: '0.411763',
      costBasis: '9.9976',
      currentPrice: '0.38',
      marketValue: '9.2264',
      unrealizedPnl: '-0.7712',
      realizedPnl: '0',
      takeProfitPrice: null,
      stopLossPrice: null,
    });
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    decimalStrings(p, ['quantity', 'avgPrice', 'costBasis', 'currentPrice', 'marketValue', 'unrealizedPnl', 'realizedPnl']);

    const sell = await order(ann.token, { marketId: APPLE, side: 'yes', action: 'sell', type: 'market', quantity: '10' });
    expect(sell.status).toBe(201);
    expect(sell.body.order).toMatchObject({ status: 'filled', action: 'sell', quantity: '10', filledQuantity: '10', avgFillPrice: '0.38', price: '0.36', fee: '0' });

    const after = (await call('GET', '/api/v1/positions', { token: ann.token })).body.positions[0];
    // Cost of the 10 sold at the average cost: 9.9976 × 10 / 24.28 = 4.117628; proceeds 3.80.
    expect(after).toMatchObject({ quantity: '14.28', costBasis: '5.879972', realizedPnl: '-0.317628', currentPrice: '0.38', marketValue: '5.4264', unrealizedPnl: '-0.453572' });

    const bal = await call('GET', '/api/v1/balance', { token: ann.token });
    expect(bal.status).toBe(200);
    expect(bal.body.balance).toEqual({
      venues: expect.arrayContaining([
        { venue: 'polymarket', available: '993.8024', mode: 'paper' },
        { venue: 'kalshi', available: '1000', mode: 'paper' },
      ]),
      total: '1993.8024',
    });
  });

  it('selling more than held → 422 insufficient_position; selling with no position → 422 no_position; no order row', async () => {
    const rows = await orderRows();
    const more = await order(ann.token, { marketId: APPLE, side: 'yes', action: 'sell', type: 'market', quantity: '20' });
    expect(more.status).toBe(422);
    expect(more.body.error.code).toBe('insufficient_position');
    expect(more.body.error.message).toBe('You hold 14.28 YES shares of this market, fewer than the 20.00 you asked to sell.');
    const none = await order(ann.token, { marketId: APPLE, side: 'no', action: 'sell', type: 'market', quantity: '5' });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('no_position');
    expect(none.body.error.message).toBe('You have no NO shares of this market to sell.');
    const bobs = await order(bob.token, { marketId: APPLE, side: 'yes', action: 'sell', type: 'limit', quantity: '5', price: '0.5' });
    expect(bobs.status).toBe(422);
    expect(bobs.body.error.code).toBe('no_position');
    expect(await orderRows()).toBe(rows);
  });

  it('a limit buy below the ask rests (pending); setMid crosses it and it fills at its own price', async () => {
    const cond = demoConditionId(TAYLOR);
    stack.feed.setMid('polymarket', cond, d('0.44'));
    const res = await order(ann.token, { marketId: TAYLOR, side: 'yes', action: 'buy', type: 'limit', quantity: '20', price: '0.30' });
    expect(res.status).toBe(201);
    const o = res.body.order;
    expect(o).toMatchObject({ status: 'pending', type: 'limit', timeInForce: 'GTC', price: '0.3', quantity: '20', filledQuantity: '0', avgFillPrice: null, amount: null });
    expect(o.venueOrderId).toMatch(/^0x/);

    // The market falls: the new book's asks are at or below 0.30 and cross the resting bid.
    stack.feed.setMid('polymarket', cond, d('0.20'));
    const crossed = await pollOrder(ann.token, o.id, (x) => x.status === 'filled');
    expect(['partial', 'filled']).toContain(crossed.status);
    expect(new Decimal(crossed.filledQuantity).gt(0)).toBe(true);
    expect(crossed.avgFillPrice).toBe('0.3'); // makers fill at their own price
    expect(crossed.fee).toBe('0');
    expect(crossed.fills.every((f: { price: string; late: boolean }) => f.price === '0.3' && !f.late)).toBe(true);
    if (crossed.status === 'partial') {
      stack.feed.setMid('polymarket', cond, d('0.19'));
      const again = await pollOrder(ann.token, o.id, (x) => x.status === 'filled');
      expect(new Decimal(again.filledQuantity).gte(crossed.filledQuantity)).toBe(true);
    }
  });

  it('a partial fill (setBook), then cancel → cancelled keeping the fill; cancelling again → 409 not_cancellable', async () => {
    const cond = demoConditionId(NVDA);
    stack.feed.setBook('polymarket', cond, { bids: [lv('0.60', '100')], asks: [lv('0.65', '100')] });
    const res = await order(ann.token, { marketId: NVDA, side: 'yes', action: 'buy', type: 'limit', quantity: '30', price: '0.50' });
    expect(res.status).toBe(201);
    const id = res.body.order.id;
    expect(res.body.order.status).toBe('pending');

    // Only 12 shares are offered at or below 0.50.
    stack.feed.setBook('polymarket', cond, { bids: [lv('0.47', '100')], asks: [lv('0.49', '12'), lv('0.52', '100')] });
    const partial = await pollOrder(ann.token, id, (x) => x.status === 'partial');
    expect(partial).toMatchObject({ status: 'partial', filledQuantity: '12', avgFillPrice: '0.5', quantity: '30' });

    const cancel = await call('DELETE', `/api/v1/trading/orders/${id}`, { token: ann.token });
    expect(cancel.status).toBe(200);
    expect(cancel.body.order).toMatchObject({ id, status: 'cancelled', filledQuantity: '12', failureReason: 'cancelled by you' });

    const twice = await call('DELETE', `/api/v1/trading/orders/${id}`, { token: ann.token });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_cancellable');
    expect(twice.body.error.message).toMatch(/is already cancelled; there is nothing to cancel/);

    // The reserve for the 18 unfilled shares is back: 30 × 0.50 reserved, 12 × 0.50 spent.
    const pos = (await call('GET', '/api/v1/positions', { token: ann.token })).body.positions.find((p: { marketId: string }) => p.marketId === NVDA);
    expect(pos).toMatchObject({ quantity: '12', costBasis: '6', avgPrice: '0.5' });
  });

  it("a user cannot see or cancel another user's order (404, like a missing one)", async () => {
    const cond = demoConditionId(NVDA);
    stack.feed.setBook('polymarket', cond, { bids: [lv('0.60', '100')], asks: [lv('0.65', '100')] });
    const res = await order(ann.token, { marketId: NVDA, side: 'yes', action: 'buy', type: 'limit', quantity: '10', price: '0.40' });
    expect(res.body.order.status).toBe('pending');
    const id = res.body.order.id;

    const see = await call('GET', `/api/v1/trading/orders/${id}`, { token: bob.token });
    expect(see.status).toBe(404);
    expect(see.body.error.code).toBe('order_not_found');
    expect(see.body.error.message).toBe(`No order ${id.slice(0, 8)} of yours.`);
    const cancel = await call('DELETE', `/api/v1/trading/orders/${id}`, { token: bob.token });
    expect(cancel.status).toBe(404);
    expect(cancel.body.error.code).toBe('order_not_found');
    const list = await call('GET', '/api/v1/trading/orders', { token: bob.token });
    expect(list.body.orders.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await call('GET', `/api/v1/trading/orders/${id}`, { token: ann.token })).body.order.status).toBe('pending');

    // The owner cancels a resting order with no fills: cancelled.
    const mine = await call('DELETE', `/api/v1/trading/orders/${id}`, { token: ann.token });
    expect(mine.status).toBe(200);
    expect(mine.body.order).toMatchObject({ status: 'cancelled', filledQuantity: '0' });
  });

  it('a cross-listed market routes to the cheaper venue and says why; `exchange` forces a venue', async () => {
    const cheaperPoly = () => {
      stack.feed.setMid('polymarket', demoConditionId(FED), d('0.40'));
      stack.feed.setMid('kalshi', FED_KALSHI, d('0.60'));
    };
    cheaperPoly();
    const a = await order(bob.token, { marketId: FED, side: 'yes', action: 'buy', type: 'market', quantity: '10' });
    expect(a.status).toBe(201);
    expect(a.body.order.exchange).toBe('polymarket');
    expect(a.body.order.status).toBe('filled');
    expect(a.body.order.routing.forced).toBe(false);
    expect(a.body.order.routing.reason).toMatch(/^polymarket: \$\d+\.\d\d cheaper than kalshi for 10\.00 shares, fees included\.$/);
    expect(a.body.order.routing.quotes.map((q: { venue: string }) => q.venue).sort()).toEqual(['kalshi', 'polymarket']);

    stack.feed.setMid('polymarket', demoConditionId(FED), d('0.70'));
    stack.feed.setMid('kalshi', FED_KALSHI, d('0.30'));
    const b = await order(bob.token, { marketId: FED, side: 'yes', action: 'buy', type: 'market', quantity: '10' });
    expect(b.status).toBe(201);
    expect(b.body.order.exchange).toBe('kalshi');
    expect(b.body.order.listingId).toBe(`${FED}:kalshi`);
    expect(b.body.order.routing.reason).toMatch(/^kalshi: \$\d+\.\d\d cheaper than polymarket for 10\.00 shares, fees included\.$/);
    expect(new Decimal(b.body.order.fee).gt(0)).toBe(true); // Kalshi charges taker fees

    // The quote endpoint agrees without placing anything.
    const rows = await orderRows();
    const q = await call('POST', '/api/v1/trading/quote', { token: bob.token, json: { marketId: FED, side: 'yes', action: 'buy', type: 'market', quantity: '10' } });
    expect(q.status).toBe(200);
    expect(q.body.route).toMatchObject({ venue: 'kalshi', forced: false });
    decimalStrings(q.body.route.chosen, ['quantity', 'notional', 'fee', 'total']);
    expect(await orderRows()).toBe(rows);

    // Forced onto the dearer venue.
    const c = await order(bob.token, { marketId: FED, side: 'yes', action: 'buy', type: 'market', quantity: '10', exchange: 'polymarket' });
    expect(c.status).toBe(201);
    expect(c.body.order.exchange).toBe('polymarket');
    expect(c.body.order.routing).toMatchObject({ venue: 'polymarket', forced: true, reason: 'polymarket: you chose this venue.' });

    // Sells go where the shares are: bob holds 10 on each venue; force kalshi.
    const s = await order(bob.token, { marketId: FED, side: 'yes', action: 'sell', type: 'market', quantity: '10', exchange: 'kalshi' });
    expect(s.status).toBe(201);
    expect(s.body.order).toMatchObject({ exchange: 'kalshi', status: 'filled', filledQuantity: '10' });
  });

  it('Idempotency-Key: the same key returns the same order (one row); reused for another order → 409', async () => {
    stack.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.38', '100')], asks: [lv('0.40', '500')] });
    const rows = await orderRows();
    const body = { marketId: APPLE, side: 'yes', action: 'buy', type: 'market', amount: '5' };
    const key = { 'idempotency-key': 'e2e-key-1' };
    const [a, b] = await Promise.all([order(bob.token, body, key), order(bob.token, body, key)]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.order.id).toBe(a.body.order.id);
    expect(await orderRows()).toBe(rows + 1);
    const other = await order(bob.token, { ...body, side: 'no' }, key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(other.body.error.message).toMatch(/idempotency key was already used for a different order/);
    // Keys are per user: ann may use the same key.
    const annsOwn = await order(ann.token, body, key);
    expect(annsOwn.status).toBe(201);
    expect(annsOwn.body.order.id).not.toBe(a.body.order.id);
    expect(await orderRows()).toBe(rows + 2);
  });

  it('halt → 423 trading_halted and no order row; resume → orders work again', async () => {
    stack.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.38', '100')], asks: [lv('0.40', '500')] });
    const body = { marketId: APPLE, side: 'yes', action: 'buy', type: 'market', amount: '5' };
    try {
      const halt = await admin('POST', '/admin/trading/halt', { json: { reason: 'venue maintenance' } });
      expect(halt.status).toBe(200);
      expect(halt.body.halt).toMatchObject({ halted: true, reason: 'venue maintenance', by: 'admin:http' });
      expect((await admin('GET', '/admin/trading')).body.halt.halted).toBe(true);
      const rows = await orderRows();
      const refused = await order(bob.token, body);
      expect(refused.status).toBe(423);
      expect(refused.body.error.code).toBe('trading_halted');
      expect(refused.body.error.message).toMatch(/Trading is paused by the operators/);
      const limit = await order(bob.token, { marketId: APPLE, side: 'yes', action: 'buy', type: 'limit', quantity: '10', price: '0.2' });
      expect(limit.status).toBe(423);
      expect(await orderRows()).toBe(rows);
      // Reading still works while halted.
      expect((await call('GET', '/api/v1/trading/orders', { token: bob.token })).status).toBe(200);
    } finally {
      const resume = await admin('POST', '/admin/trading/resume');
      expect(resume.status).toBe(200);
      expect(resume.body.halt).toMatchObject({ halted: false, reason: null });
    }
    const ok = await order(bob.token, body);
    expect(ok.status).toBe(201);
    expect(ok.body.order.status).toBe('filled');
    const audit = await stack.db.prisma.auditLog.findMany({ where: { action: { in: ['trading.halt', 'trading.resume'] } } });
    expect(audit.map((a) => a.action).sort()).toEqual(['trading.halt', 'trading.resume']);
  });

  it('GET /admin/orders lists every user\'s orders, filtered by user and status', async () => {
    const all = await admin('GET', '/admin/orders?limit=500');
    expect(all.status).toBe(200);
    expect(all.body.orders.length).toBe(await orderRows());
    const bobs = await admin('GET', `/admin/orders?userId=${bob.id}&status=filled`);
    expect(bobs.body.orders.length).toBeGreaterThan(0);
    expect(bobs.body.orders.every((o: { userId: string; status: string }) => o.userId === bob.id && o.status === 'filled')).toBe(true);
    const queues = await admin('GET', '/admin/queues');
    expect(queues.status).toBe(200);
    expect(Array.isArray(queues.body.queues)).toBe(true);
  });
});

describe('operations', () => {
  it('/healthz is ok without a token', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/metrics is Prometheus text with request counters by route template', async () => {
    const res = await call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE yesno_http_requests_total counter');
    expect(res.text).toMatch(/yesno_http_requests_total\{method="POST",route="\/api\/v1\/trading\/order",status="201"\} \d+/);
    expect(res.text).toMatch(/yesno_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/trading\/orders\/:id",le="\+Inf"\} \d+/);
    expect(res.text).not.toMatch(/status="5\d\d"/);
  });

  it('/docs/json is the OpenAPI document of every route, decimals documented as strings', async () => {
    const res = await call('GET', '/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1/);
    for (const path of ['/api/v1/trading/order', '/api/v1/trading/orders', '/api/v1/trading/orders/{id}', '/api/v1/markets', '/api/v1/markets/{id}', '/api/v1/positions', '/api/v1/balance', '/admin/users', '/admin/trading/halt', '/healthz']) {
      expect(res.body.paths, path).toHaveProperty([path]);
    }
    const orderSchema = res.body.paths['/api/v1/trading/order'].post.requestBody.content['application/json'].schema;
    expect(orderSchema.properties.amount.type).toBe('string');
    expect(orderSchema.additionalProperties).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------
// Bad input, every endpoint
// ------------------------------------------------------------------------------------------------

interface BadCase {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  opts?: ReqOpts;
  /** Use the admin token instead of the user's; `null` token sends none. */
  as?: 'user' | 'admin' | 'none' | 'invalid';
  status: number;
  code: string;
  message: RegExp;
}

describe('bad input: a 4xx with the documented code, a message naming the problem, nothing written, never a 5xx', () => {
  let user: { id: string; token: string };
  let otherUsersOrder: string;
  let ownFilledOrder: string;
  const cases: BadCase[] = [];
  const o = { marketId: BAD_INPUT, side: 'yes', action: 'buy', type: 'market', amount: '10' };
  const lim = { marketId: BAD_INPUT, side: 'yes', action: 'buy', type: 'limit', quantity: '10', price: '0.15' };
  const ORDER = '/api/v1/trading/order';
  const QUOTE = '/api/v1/trading/quote';
  const UUID0 = '00000000-0000-4000-8000-000000000000';

  const post = (name: string, body: unknown, status: number, code: string, message: RegExp, path = ORDER) =>
    cases.push({ name: `POST ${path.startsWith(ORDER) ? 'order' : 'quote'}: ${name}`, method: 'POST', path, opts: { json: body }, status, code, message });
  const bad400 = (name: string, body: unknown, message: RegExp, path = ORDER) => post(name, body, 400, 'invalid_input', message, path);

  // --- POST /api/v1/trading/order: body shape
  bad400('missing marketId', { ...o, marketId: undefined }, /marketId is required/);
  bad400('marketId a number', { ...o, marketId: 12 }, /marketId must be a string/);
  bad400('empty marketId', { ...o, marketId: '   ' }, /marketId must not be empty/);
  bad400('missing side', { ...o, side: undefined }, /side is required \("yes" or "no"\)/);
  bad400('side not yes/no', { ...o, side: 'maybe' }, /side must be "yes" or "no" \(got "maybe"\)/);
  bad400('side a boolean', { ...o, side: true }, /side must be "yes" or "no" \(got true\)/);
  bad400('missing action', { ...o, action: undefined }, /action is required/);
  bad400('unknown action', { ...o, action: 'hold' }, /action must be "buy" or "sell" \(got "hold"\)/);
  bad400('missing type', { ...o, type: undefined }, /type is required/);
  bad400('unknown type', { ...o, type: 'stop' }, /type must be "market" or "limit" \(got "stop"\)/);
  bad400('amount as a JSON number', { ...o, amount: 10 }, /amount must be a string such as "25" \(decimal money is sent as strings\)/);
  bad400('quantity as a JSON number', { ...lim, quantity: 10 }, /quantity must be a string such as "10" \(decimal money is sent as strings\)/);
  bad400('price as a JSON number', { ...lim, price: 0.15 }, /price must be a string such as "0.45" \(decimal money is sent as strings\)/);
  bad400('amount an object', { ...o, amount: { value: '10' } }, /amount must be a string such as "25"/);
  bad400('negative amount', { ...o, amount: '-10' }, /amount must be a positive decimal such as "25" \(got "-10"\)/);
  bad400('negative quantity', { ...lim, quantity: '-3' }, /quantity must be a positive decimal such as "10" \(got "-3"\)/);
  bad400('negative price', { ...lim, price: '-0.15' }, /price must be a positive decimal such as "0.45" \(got "-0.15"\)/);
  bad400('zero amount', { ...o, amount: '0' }, /amount must be greater than 0/);
  bad400('zero quantity', { ...lim, quantity: '0.000' }, /quantity must be greater than 0/);
  bad400('zero price', { ...lim, price: '0' }, /price must be greater than 0/);
  bad400('price of 1', { ...lim, price: '1' }, /price must be below 1 \(dollars per share of a \$1 contract\)/);
  bad400('price above 1', { ...lim, price: '1.5' }, /price must be below 1/);
  bad400('amount with an exponent', { ...o, amount: '1e3' }, /amount must be a positive decimal such as "25" \(got "1e3"\)/);
  bad400('amount with a dollar sign', { ...o, amount: '$10' }, /amount must be a positive decimal/);
  bad400('amount with 7 decimals', { ...o, amount: '1.0000001' }, /amount has at most 6 decimal places/);
  bad400('amount too large', { ...o, amount: '9'.repeat(13) }, /amount is too large/);
  bad400('amount as an empty string', { ...o, amount: '' }, /amount must be a positive decimal/);
  bad400('unknown exchange', { ...o, exchange: 'nyse' }, /exchange must be "polymarket" or "kalshi" \(got "nyse"\)/);
  bad400('unknown timeInForce', { ...lim, timeInForce: 'IOC' }, /timeInForce must be "GTC", "GTD", "FOK" or "FAK" \(got "IOC"\)/);
  bad400('expiresAt not a date', { ...lim, timeInForce: 'GTD', expiresAt: 'tomorrow' }, /expiresAt must be an ISO 8601 date-time/);
  bad400('GTD without expiresAt', { ...lim, timeInForce: 'GTD' }, /A GTD order needs expiresAt in the future/);
  bad400('GTD expiring in the past', { ...lim, timeInForce: 'GTD', expiresAt: '2020-01-01T00:00:00Z' }, /A GTD order needs expiresAt in the future/);
  bad400('expiresAt without GTD', { ...lim, expiresAt: '2030-01-01T00:00:00Z' }, /expiresAt only applies to GTD orders/);
  bad400('market order GTC', { ...o, timeInForce: 'GTC' }, /A market order is immediate: timeInForce must be FAK .* or FOK/);
  bad400('unknown field', { ...o, amout: '5' }, /unknown body field "amout"/);
  bad400('two unknown fields', { ...o, userId: UUID0, status: 'filled' }, /unknown body fields "userId", "status"/);
  bad400('market buy with neither amount nor quantity', { ...o, amount: undefined }, /amount \(USD to spend\) or quantity \(shares\) is required for a market buy/);
  bad400('market buy with both amount and quantity', { ...o, quantity: '5' }, /a market buy takes amount \(USD\) or quantity \(shares\), not both/);
  bad400('limit without price', { ...lim, price: undefined }, /price is required for a limit order/);
  bad400('limit without quantity', { ...lim, quantity: undefined }, /quantity \(shares\) is required for a limit order/);
  bad400('limit with an amount', { ...lim, amount: '5' }, /amount is only for market buys; a limit order takes quantity and price/);
  bad400('sell without quantity', { ...o, action: 'sell', amount: undefined }, /quantity \(shares to sell\) is required for a sell/);
  bad400('sell by amount', { ...o, action: 'sell', quantity: '5' }, /amount is only for market buys; a sell takes quantity/);
  bad400('an array body', [o], /body must be a JSON object/);
  bad400('a JSON string body', 'buy it', /body must be a JSON object/);
  bad400('a JSON null body', null, /body must be a JSON object/);
  // --- POST order: venue rules, checked by the core against the real catalog
  bad400('price off the tick grid (0.01)', { ...lim, price: '0.155' }, /0\.155 is not on polymarket's price grid for this market: prices move in steps of 0\.01/);
  bad400('price off the tick grid (0.001)', { ...lim, marketId: ETH, price: '0.0505' }, /0\.0505 is not on polymarket's price grid for this market: prices move in steps of 0\.001/);
  bad400('fractional Kalshi contracts', { ...lim, marketId: HOT, quantity: '2.5', price: '0.3' }, /kalshi trades this market in steps of 1 shares; 2\.5 is not one of them/);
  bad400('fractional shares below Polymarket\'s step', { ...lim, quantity: '10.005' }, /polymarket trades this market in steps of 0\.01 shares; 10\.005 is not one of them/);
  post('limit quantity below the venue minimum', { ...lim, quantity: '4' }, 422, 'below_minimum', /polymarket's minimum for this market is 5 shares; this order is 4\.00/);
  post('market buy too small for the venue minimum', { ...o, amount: '1' }, 422, 'below_minimum', /polymarket's minimum for this market is 5 shares; this order is 2\.50/);
  post('an unknown query parameter', o, 400, 'invalid_input', /unknown query parameter "dryRun"/, `${ORDER}?dryRun=true`);
  post('unknown market', { ...o, marketId: 'no-such-market-zzz' }, 404, 'market_not_found', /No market matches "no-such-market-zzz"/);
  post('ambiguous market', { ...o, marketId: 'bitcoin' }, 422, 'market_ambiguous', /"bitcoin" matches 2 markets: .*btc-150k-2026.*Use the market id/);
  post('forced venue that does not list the market', { ...o, exchange: 'kalshi' }, 422, 'venue_not_listed', /not listed on kalshi; it trades on polymarket/);
  post('market buy against an empty book', { ...o, marketId: STARSHIP }, 422, 'insufficient_liquidity', /nothing to buy on polymarket right now: the book is empty/);
  post('sell with no position', { ...lim, action: 'sell' }, 422, 'no_position', /You have no YES shares of this market to sell/);
  // --- POST order: transport
  cases.push(
    { name: 'POST order: malformed JSON', method: 'POST', path: ORDER, opts: { raw: '{"marketId": "x",', contentType: 'application/json' }, status: 400, code: 'invalid_json', message: /The body is not valid JSON/ },
    { name: 'POST order: empty body', method: 'POST', path: ORDER, opts: { raw: '', contentType: 'application/json' }, status: 400, code: 'invalid_input', message: /body must be a JSON object/ },
    { name: 'POST order: no body at all', method: 'POST', path: ORDER, opts: {}, status: 400, code: 'invalid_input', message: /body must be a JSON object/ },
    { name: 'POST order: text/plain', method: 'POST', path: ORDER, opts: { raw: JSON.stringify(o), contentType: 'text/plain' }, status: 415, code: 'unsupported_media_type', message: /Send the body as JSON with Content-Type: application\/json/ },
    { name: 'POST order: form-encoded', method: 'POST', path: ORDER, opts: { raw: 'marketId=x&side=yes', contentType: 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type', message: /Content-Type: application\/json/ },
    { name: 'POST order: a body over the limit', method: 'POST', path: ORDER, opts: { json: { ...o, marketId: 'x'.repeat(20_000) } }, status: 413, code: 'payload_too_large', message: /The body is larger than 16384 bytes/ },
    { name: 'POST order: Idempotency-Key too long', method: 'POST', path: ORDER, opts: { json: o, headers: { 'idempotency-key': 'k'.repeat(129) } }, status: 400, code: 'invalid_input', message: /Idempotency-Key header must be 1 to 128 printable ASCII characters/ },
    { name: 'POST order: Idempotency-Key with a space', method: 'POST', path: ORDER, opts: { json: o, headers: { 'idempotency-key': 'a b' } }, status: 400, code: 'invalid_input', message: /Idempotency-Key header must be 1 to 128 printable ASCII characters/ },
  );
  // --- POST /api/v1/trading/quote
  bad400('missing side', { ...o, side: undefined }, /side is required/, QUOTE);
  bad400('amount as a number', { ...o, amount: 10 }, /amount must be a string such as "25"/, QUOTE);
  bad400('unknown field', { ...o, dryRun: true }, /unknown body field "dryRun"/, QUOTE);
  bad400('price ≥ 1', { ...lim, price: '1.00' }, /price must be below 1/, QUOTE);
  bad400('price off grid', { ...lim, price: '0.151' }, /not on polymarket's price grid/, QUOTE);
  post('unknown market', { ...o, marketId: 'zzz-nothing' }, 404, 'market_not_found', /No market matches "zzz-nothing"/, QUOTE);
  post('ambiguous market', { ...o, marketId: 'bitcoin' }, 422, 'market_ambiguous', /"bitcoin" matches 2 markets/, QUOTE);
  post('below the venue minimum', { ...lim, quantity: '4' }, 422, 'below_minimum', /polymarket's minimum for this market is 5 shares/, QUOTE);
  post('an empty book', { ...o, marketId: STARSHIP }, 422, 'insufficient_liquidity', /nothing to buy on polymarket right now/, QUOTE);
  post('a negative price', { ...lim, price: '-0.2' }, 400, 'invalid_input', /price must be a positive decimal such as "0.45" \(got "-0.2"\)/, QUOTE);
  cases.push({ name: 'POST quote: an unknown query parameter', method: 'POST', path: `${QUOTE}?dry=1`, opts: { json: o }, status: 400, code: 'invalid_input', message: /unknown query parameter "dry"/ });
  cases.push({ name: 'POST quote: malformed JSON', method: 'POST', path: QUOTE, opts: { raw: '{', contentType: 'application/json' }, status: 400, code: 'invalid_json', message: /not valid JSON/ });
  // --- GET /api/v1/trading/orders
  const get = (name: string, path: string, status: number, code: string, message: RegExp, as: BadCase['as'] = 'user') =>
    cases.push({ name: `GET ${path}: ${name}`, method: 'GET', path, status, code, message, as });
  get('unknown status', '/api/v1/trading/orders?status=open', 400, 'invalid_input', /status must be a comma-separated list of created, pending, partial, filled, cancelled, failed \(unknown: "open"\)/);
  get('one bad status in a list', '/api/v1/trading/orders?status=filled,done', 400, 'invalid_input', /unknown: "done"/);
  get('limit 0', '/api/v1/trading/orders?limit=0', 400, 'invalid_input', /limit must be a whole number from 1 to 200 \(got "0"\)/);
  get('limit not a number', '/api/v1/trading/orders?limit=ten', 400, 'invalid_input', /limit must be a whole number from 1 to 200 \(got "ten"\)/);
  get('limit negative', '/api/v1/trading/orders?limit=-5', 400, 'invalid_input', /limit must be a whole number/);
  get('limit too big', '/api/v1/trading/orders?limit=201', 400, 'invalid_input', /limit must be a whole number from 1 to 200/);
  get('unknown parameter', '/api/v1/trading/orders?user=someone', 400, 'invalid_input', /unknown query parameter "user"/);
  // --- GET/DELETE /api/v1/trading/orders/:id
  get('not a uuid', '/api/v1/trading/orders/12345', 400, 'invalid_input', /order id must be a UUID .* \(got "12345"\)/);
  get('unknown uuid', `/api/v1/trading/orders/${UUID0}`, 404, 'order_not_found', /No order 00000000 of yours/);
  get('unknown query parameter', `/api/v1/trading/orders/${UUID0}?fills=no`, 400, 'invalid_input', /unknown query parameter "fills"/);
  get('unknown query parameter', '/api/v1/positions?market=x', 400, 'invalid_input', /unknown query parameter "market"/);
  get('unknown query parameter', '/api/v1/balance?venue=kalshi', 400, 'invalid_input', /unknown query parameter "venue"/);
  cases.push(
    { name: 'DELETE order: not a uuid', method: 'DELETE', path: '/api/v1/trading/orders/abc', status: 400, code: 'invalid_input', message: /order id must be a UUID .* \(got "abc"\)/ },
    { name: 'DELETE order: unknown uuid', method: 'DELETE', path: `/api/v1/trading/orders/${UUID0}`, status: 404, code: 'order_not_found', message: /No order 00000000 of yours/ },
    { name: 'DELETE order: an unknown query parameter', method: 'DELETE', path: `/api/v1/trading/orders/${UUID0}?force=1`, status: 400, code: 'invalid_input', message: /unknown query parameter "force"/ },
  );
  // --- GET /api/v1/markets and /markets/:id
  get('limit 0', '/api/v1/markets?limit=0', 400, 'invalid_input', /limit must be a whole number from 1 to 200 \(got "0"\)/);
  get('limit 1.5', '/api/v1/markets?limit=1.5', 400, 'invalid_input', /limit must be a whole number/);
  get('unknown parameter', '/api/v1/markets?sort=volume', 400, 'invalid_input', /unknown query parameter "sort"/);
  get('q too long', `/api/v1/markets?q=${'a'.repeat(201)}`, 400, 'invalid_input', /q is at most 200 characters/);
  get('unknown market', '/api/v1/markets/no-such-market-zzz', 404, 'market_not_found', /No market matches "no-such-market-zzz"/);
  get('ambiguous market', '/api/v1/markets/bitcoin', 422, 'market_ambiguous', /"bitcoin" matches 2 markets: .*Use the market id/);
  get('blank market id', '/api/v1/markets/%20%20', 400, 'invalid_input', /market id must not be empty/);
  get('unknown query parameter', `/api/v1/markets/${FED}?venue=kalshi`, 400, 'invalid_input', /unknown query parameter "venue"/);
  get('over-long market id', `/api/v1/markets/${'m'.repeat(300)}`, 414, 'uri_too_long', /A path segment of the URL is too long/);
  get('a bad percent-encoding', '/api/v1/markets/%E0%A4%A', 400, 'bad_request', /percent-encoding/);
  // --- tokens: every /api/v1 endpoint
  const userEndpoints: [BadCase['method'], string][] = [
    ['POST', ORDER],
    ['POST', QUOTE],
    ['GET', '/api/v1/trading/orders'],
    ['GET', `/api/v1/trading/orders/${UUID0}`],
    ['DELETE', `/api/v1/trading/orders/${UUID0}`],
    ['GET', '/api/v1/markets'],
    ['GET', `/api/v1/markets/${FED}`],
    ['GET', '/api/v1/positions'],
    ['GET', '/api/v1/balance'],
  ];
  for (const [method, path] of userEndpoints) {
    const opts = method === 'POST' ? { json: o } : {};
    cases.push(
      { name: `${method} ${path}: no token`, method, path, opts, as: 'none', status: 401, code: 'unauthorized', message: /Missing API token: send "Authorization: Bearer <your API token>"/ },
      { name: `${method} ${path}: invalid token`, method, path, opts, as: 'invalid', status: 401, code: 'unauthorized', message: /Invalid or revoked API token/ },
      { name: `${method} ${path}: the admin token is not a user token`, method, path, opts, as: 'admin', status: 401, code: 'unauthorized', message: /Invalid or revoked API token/ },
      { name: `${method} ${path}: Basic instead of Bearer`, method, path, opts: { ...opts, headers: { authorization: 'Basic dXNlcjpwYXNz' } }, as: 'none', status: 401, code: 'unauthorized', message: /Missing API token/ },
    );
  }
  // --- admin endpoints
  const adm = (name: string, method: BadCase['method'], path: string, opts: ReqOpts, status: number, code: string, message: RegExp) =>
    cases.push({ name: `${method} ${path}: ${name}`, method, path, opts, as: 'admin', status, code, message });
  adm('missing name', 'POST', '/admin/users', { json: {} }, 400, 'invalid_input', /name is required/);
  adm('name a number', 'POST', '/admin/users', { json: { name: 42 } }, 400, 'invalid_input', /name must be a string/);
  adm('blank name', 'POST', '/admin/users', { json: { name: '   ' } }, 400, 'invalid_input', /name must not be empty/);
  adm('name too long', 'POST', '/admin/users', { json: { name: 'n'.repeat(101) } }, 400, 'invalid_input', /name is at most 100 characters/);
  adm('unknown field', 'POST', '/admin/users', { json: { name: 'eve', admin: true } }, 400, 'invalid_input', /unknown body field "admin"/);
  adm('an array body', 'POST', '/admin/users', { json: [{ name: 'eve' }] }, 400, 'invalid_input', /body must be a JSON object/);
  adm('no body', 'POST', '/admin/users', {}, 400, 'invalid_input', /body must be a JSON object/);
  adm('malformed JSON', 'POST', '/admin/users', { raw: '{"name":', contentType: 'application/json' }, 400, 'invalid_json', /not valid JSON/);
  adm('text/plain', 'POST', '/admin/users', { raw: 'eve', contentType: 'text/plain' }, 415, 'unsupported_media_type', /Content-Type: application\/json/);
  adm('limit 0', 'GET', '/admin/users?limit=0', {}, 400, 'invalid_input', /limit must be a whole number from 1 to 500/);
  adm('unknown parameter', 'GET', '/admin/users?role=x', {}, 400, 'invalid_input', /unknown query parameter "role"/);
  adm('bad status', 'GET', '/admin/orders?status=done', {}, 400, 'invalid_input', /status must be a comma-separated list .*unknown: "done"/);
  adm('bad userId', 'GET', '/admin/orders?userId=bob', {}, 400, 'invalid_input', /userId must be a UUID .*\(got "bob"\)/);
  adm('limit too big', 'GET', '/admin/orders?limit=501', {}, 400, 'invalid_input', /limit must be a whole number from 1 to 500/);
  adm('reason a number', 'POST', '/admin/trading/halt', { json: { reason: 5 } }, 400, 'invalid_input', /reason must be a string/);
  adm('blank reason', 'POST', '/admin/trading/halt', { json: { reason: ' ' } }, 400, 'invalid_input', /reason must not be empty/);
  adm('unknown field', 'POST', '/admin/trading/halt', { json: { why: 'x' } }, 400, 'invalid_input', /unknown body field "why"/);
  adm('text/plain', 'POST', '/admin/trading/halt', { raw: 'stop', contentType: 'text/plain' }, 415, 'unsupported_media_type', /Content-Type: application\/json/);
  adm('unknown field', 'POST', '/admin/trading/resume', { json: { force: true } }, 400, 'invalid_input', /unknown body field "force"/);
  adm('unknown query parameter', 'GET', '/admin/trading?x=1', {}, 400, 'invalid_input', /unknown query parameter "x"/);
  adm('unknown query parameter', 'GET', '/admin/queues?queue=notify', {}, 400, 'invalid_input', /unknown query parameter "queue"/);
  adm('unknown query parameter', 'POST', '/admin/users?role=admin', { json: { name: 'eve' } }, 400, 'invalid_input', /unknown query parameter "role"/);
  adm('malformed JSON', 'POST', '/admin/trading/resume', { raw: '{x', contentType: 'application/json' }, 400, 'invalid_json', /not valid JSON/);
  const adminEndpoints: [BadCase['method'], string, ReqOpts][] = [
    ['POST', '/admin/users', { json: { name: 'mallory' } }],
    ['GET', '/admin/users', {}],
    ['GET', '/admin/orders', {}],
    ['GET', '/admin/trading', {}],
    ['POST', '/admin/trading/halt', { json: { reason: 'nope' } }],
    ['POST', '/admin/trading/resume', {}],
    ['GET', '/admin/queues', {}],
  ];
  for (const [method, path, opts] of adminEndpoints) {
    cases.push(
      { name: `${method} ${path}: no token`, method, path, opts, as: 'none', status: 401, code: 'unauthorized', message: /Missing admin token: send "Authorization: Bearer <ADMIN_TOKEN>"/ },
      { name: `${method} ${path}: wrong token`, method, path, opts, as: 'invalid', status: 401, code: 'unauthorized', message: /Invalid admin token/ },
      { name: `${method} ${path}: a user token`, method, path, opts, as: 'user', status: 401, code: 'unauthorized', message: /Invalid admin token/ },
    );
  }
  // --- unknown endpoints and methods
  cases.push(
    { name: 'unknown endpoint', method: 'GET', path: '/api/v1/nothing-here', status: 404, code: 'not_found', message: /No such endpoint: GET \/api\/v1\/nothing-here/ },
    { name: 'wrong method', method: 'DELETE', path: '/api/v1/markets', status: 404, code: 'not_found', message: /No such endpoint: DELETE \/api\/v1\/markets/ },
    { name: 'an older API version', method: 'POST', path: '/api/v0/trading/order', opts: { json: o }, status: 404, code: 'not_found', message: /No such endpoint/ },
  );

  beforeAll(async () => {
    user = await newUser('bad-input');
    const other = await newUser('other');
    stack.feed.setBook('polymarket', demoConditionId(BAD_INPUT), { bids: [lv('0.18', '100')], asks: [lv('0.40', '500')] });
    stack.feed.setBook('polymarket', demoConditionId(STARSHIP), { bids: [lv('0.20', '100')], asks: [] });
    const a = await order(other.token, { marketId: BAD_INPUT, side: 'yes', action: 'buy', type: 'limit', quantity: '10', price: '0.10' });
    expect(a.body.order.status).toBe('pending');
    otherUsersOrder = a.body.order.id;
    const b = await order(user.token, { marketId: BAD_INPUT, side: 'yes', action: 'buy', type: 'market', amount: '5' });
    expect(b.body.order.status).toBe('filled');
    ownFilledOrder = b.body.order.id;
    // Sells of YES on BAD_INPUT now have a position; the "sell with no position" case sells NO.
    const noSell = cases.find((c) => c.name.endsWith('sell with no position'))!;
    (noSell.opts!.json as Record<string, unknown>).side = 'no';
    noSell.message = /You have no NO shares of this market to sell/;
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const rows = await orderRows();
    const users = await stack.db.prisma.user.count();
    const halted = (await admin('GET', '/admin/trading')).body.halt.halted;
    const token = c.as === 'admin' ? ADMIN_TOKEN : c.as === 'none' ? null : c.as === 'invalid' ? 'yn_not-a-real-token' : user.token;
    const res = await call(c.method, c.path, { ...c.opts, token });
    expect(res.status, res.text).toBeLessThan(500);
    expect(res.status, res.text).toBe(c.status);
    expect(res.body, res.text).toEqual({ error: { code: c.code, message: expect.any(String), ...(res.body?.error?.details ? { details: expect.anything() } : {}) } });
    expect(res.body.error.message).toMatch(c.message);
    if (c.status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer realm="yesno"');
    expect(await orderRows()).toBe(rows);
    expect(await stack.db.prisma.user.count()).toBe(users);
    expect((await admin('GET', '/admin/trading')).body.halt.halted).toBe(halted);
  });

  it("another user's order and the caller's own filled order: 404 and 409, nothing changes", async () => {
    const rows = await orderRows();
    const see = await call('GET', `/api/v1/trading/orders/${otherUsersOrder}`, { token: user.token });
    expect(see.status).toBe(404);
    expect(see.body.error.code).toBe('order_not_found');
    const cancel = await call('DELETE', `/api/v1/trading/orders/${otherUsersOrder}`, { token: user.token });
    expect(cancel.status).toBe(404);
    const filled = await call('DELETE', `/api/v1/trading/orders/${ownFilledOrder}`, { token: user.token });
    expect(filled.status).toBe(409);
    expect(filled.body.error).toMatchObject({ code: 'not_cancellable', message: `Order ${ownFilledOrder.slice(0, 8)} is already filled; there is nothing to cancel.` });
    expect(await orderRows()).toBe(rows);
    expect((await stack.db.prisma.order.findUniqueOrThrow({ where: { id: otherUsersOrder } })).status).toBe('pending');
  });
});

describe('without ADMIN_TOKEN, and with a tight rate limit', () => {
  let small: TestStack;
  beforeAll(async () => {
    small = await startTestStack({ RATE_LIMIT_PER_MIN: '3' }, { workers: false });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('every /admin path is 404 and the OpenAPI document has no admin routes', async () => {
    for (const [method, path] of [['POST', '/admin/users'], ['GET', '/admin/users'], ['GET', '/admin/orders'], ['POST', '/admin/trading/halt']] as const) {
      const res = await fetch(`${small.address}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ name: 'x' }) : undefined,
      });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
      seen.push({ method, path, status: res.status });
    }
    expect(await small.db.prisma.user.count()).toBe(0);
    const docs = await (await fetch(`${small.address}/docs/json`)).json();
    expect(Object.keys(docs.paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });

  it('a token over its rate limit gets 429 with Retry-After', async () => {
    const { apiToken } = await small.core.users.createUser({ name: 'busy' });
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${small.address}/api/v1/balance`, { headers: { authorization: `Bearer ${apiToken}` } });
      statuses.push(last.status);
      if (i < 3) await last.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await last!.json();
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/at most 3 per minute per token/);
  });
});

describe('the whole file', () => {
  it('never got a 5xx', () => {
    expect(seen.length).toBeGreaterThan(150);
    expect(seen.filter((s) => s.status >= 500)).toEqual([]);
  });
});
