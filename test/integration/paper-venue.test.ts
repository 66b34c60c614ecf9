/**
 * The paper venues against real Postgres: market buys walking the book, FOK/FAK, limit orders that
 * rest and fill when the book crosses them, rejections that change nothing, concurrency on one
 * account, duplicate client order ids, cancels releasing reserves, and a restart that keeps resting
 * orders matching.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db.ts';
import { Decimal, ZERO, sum } from '../../core/money.ts';
import { DEMO_CATALOG, demoConditionId, findCatalogListing, seedCatalog } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import { createPaperRegistry } from '../../core/exchanges/registry.ts';
import { VenueError, type ListingRef, type PlaceOrderRequest, type VenueOrderEvent } from '../../core/exchanges/types.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';

const d = (s: string | number) => new Decimal(s);
const lv = (price: string, size: string | number) => ({ price: d(price), size: d(size) });

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient;
let feed: SyntheticMarketFeed;
let poly: PaperExchange;
let kalshi: PaperExchange;
const opened: PaperExchange[] = [];

const POLY = findCatalogListing(DEMO_CATALOG, 'polymarket', demoConditionId('fed-cut-dec-2026'))!.ref;
const KALSHI = findCatalogListing(DEMO_CATALOG, 'kalshi', 'KXFEDCUT-26DEC')!.ref;

function exchange(venue: 'polymarket' | 'kalshi', startingBalance = d(1000)) {
  const ex = new PaperExchange({ venue, prisma, feed, startingBalance });
  opened.push(ex);
  return ex;
}

function order(listing: ListingRef, over: Partial<PlaceOrderRequest> & { user: string }): PlaceOrderRequest {
  const { user, ...rest } = over;
  return {
    account: { userId: user },
    listing,
    outcome: 'yes',
    action: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    clientOrderId: `c-${randomUUID()}`,
    price: d('0.5'),
    quantity: d(10),
    ...rest,
  };
}

async function rejection(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(VenueError);
    return err as VenueError;
  }
  throw new Error('expected a rejection');
}

async function ledgerSnapshot(accountId: string) {
  const [accounts, holdings, orders, trades] = await Promise.all([
    prisma.paperAccount.findMany({ where: { accountId }, orderBy: { venue: 'asc' } }),
    prisma.paperHolding.findMany({ where: { accountId }, orderBy: { venueMarketId: 'asc' } }),
    prisma.paperOrder.count({ where: { accountId } }),
    prisma.paperTrade.count({ where: { accountId } }),
  ]);
  return JSON.stringify({ accounts: accounts.map((a) => [a.venue, a.cash.toString()]), holdings: holdings.map((h) => [h.venueMarketId, h.side, h.quantity.toString()]), orders, trades });
}

/** A known YES book on the fed-cut listings. */
function setBooks() {
  feed.setBook('polymarket', POLY.venueMarketId, {
    bids: [lv('0.48', 100), lv('0.47', 200)],
    asks: [lv('0.50', 10), lv('0.51', 20), lv('0.53', 50)],
  });
  feed.setBook('kalshi', KALSHI.venueMarketId, {
    bids: [lv('0.45', 30), lv('0.44', 40)],
    asks: [lv('0.47', 5), lv('0.49', 8)],
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  await seedCatalog(prisma, DEMO_CATALOG);
  feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 42, tickMs: 0 });
  poly = exchange('polymarket');
  kalshi = exchange('kalshi');
  await Promise.all([poly.ready(), kalshi.ready()]);
});

afterAll(async () => {
  for (const ex of opened) ex.close();
  await db?.drop();
});

beforeEach(() => setBooks());

describe('catalog seeding', () => {
  it('is idempotent', async () => {
    const markets = await prisma.market.count();
    const listings = await prisma.marketListing.count();
    await seedCatalog(prisma, DEMO_CATALOG);
    expect(await prisma.market.count()).toBe(markets);
    expect(await prisma.marketListing.count()).toBe(listings);
    expect(markets).toBe(DEMO_CATALOG.length);
  });
});

describe('market orders', () => {
  it('a buy by amount walks the levels and never spends more than the amount', async () => {
    const user = randomUUID();
    const res = await poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d(10), price: d('0.99') }));
    expect(res.status).toBe('filled');
    expect(res.fills.map((f) => `${f.price.toFixed()}x${f.quantity.toFixed()}`)).toEqual(['0.5x10', '0.51x9.8']);
    expect(res.quantity.toFixed()).toBe('19.8');
    expect(new Set(res.fills.map((f) => f.venueTradeId)).size).toBe(2);
    const bal = await poly.getBalance({ account: { userId: user } });
    expect(bal.available.toFixed()).toBe('990.002');
    expect((await poly.getPositions({ account: { userId: user } }))).toEqual([{ venueMarketId: POLY.venueMarketId, outcome: 'yes', quantity: d('19.8') }]);
    // The liquidity it took is gone until the next book.
    const book = await poly.getOrderBook({ listing: POLY, outcome: 'yes' });
    expect(book.asks.map((l) => `${l.price.toFixed()}x${l.size.toFixed()}`)).toEqual(['0.51x10.2', '0.53x50']);
  });

  it('on Kalshi the taker fee comes out of the amount too', async () => {
    const user = randomUUID();
    const res = await kalshi.placeOrder(order(KALSHI, { user, type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d(5), price: d('0.60') }));
    const spent = sum(res.fills.map((f) => f.price.mul(f.quantity).add(f.fee)));
    expect(spent.lte(5)).toBe(true);
    expect(res.fills.every((f) => f.fee.gt(0))).toBe(true);
    expect(res.filledQuantity.isInteger()).toBe(true);
    const bal = await kalshi.getBalance({ account: { userId: user } });
    expect(bal.available.toFixed()).toBe(d(1000).sub(spent).toFixed());
  });

  it('never goes past the worst acceptable price; FAK cancels the rest', async () => {
    const user = randomUUID();
    const res = await poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: d(100), price: d('0.51') }));
    expect(res.status).toBe('cancelled');
    expect(res.filledQuantity.toFixed()).toBe('30');
    expect(res.fills.every((f) => f.price.lte('0.51'))).toBe(true);
  });

  it('FOK on a thin book is rejected whole and changes nothing', async () => {
    const user = randomUUID();
    await kalshi.getBalance({ account: { userId: user } });
    const before = await ledgerSnapshot(user);
    const err = await rejection(kalshi.placeOrder(order(KALSHI, { user, type: 'market', timeInForce: 'FOK', quantity: d(20), price: d('0.99') })));
    expect(err.code).toBe('FOK_ORDER_NOT_FILLED_ERROR');
    expect(await ledgerSnapshot(user)).toBe(before);
    const book = await kalshi.getOrderBook({ listing: KALSHI, outcome: 'yes' });
    expect(book.asks.map((l) => l.size.toFixed())).toEqual(['5', '8']);
    // 13 is exactly what is there: fills whole.
    const ok = await kalshi.placeOrder(order(KALSHI, { user, type: 'market', timeInForce: 'FOK', quantity: d(13), price: d('0.99') }));
    expect(ok.status).toBe('filled');
  });

  it('sells walk the bids and credit proceeds; selling more than held is refused', async () => {
    const user = randomUUID();
    await poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: d(10), price: d('0.50') }));
    const err = await rejection(poly.placeOrder(order(POLY, { user, action: 'sell', type: 'market', timeInForce: 'FAK', quantity: d(11), price: d('0.01') })));
    expect(err.code).toBe('INSUFFICIENT_POSITION');
    const sold = await poly.placeOrder(order(POLY, { user, action: 'sell', type: 'market', timeInForce: 'FAK', quantity: d(10), price: d('0.40') }));
    expect(sold.status).toBe('filled');
    expect(sold.fills[0]!.price.toFixed()).toBe('0.48');
    expect((await poly.getBalance({ account: { userId: user } })).available.toFixed()).toBe('999.8');
    expect(await poly.getPositions({ account: { userId: user } })).toEqual([]);
  });

  it('buying NO takes the mirrored YES bids', async () => {
    const user = randomUUID();
    const res = await poly.placeOrder(order(POLY, { user, outcome: 'no', type: 'market', timeInForce: 'FAK', quantity: d(150), price: d('0.53') }));
    // NO asks = 1 − YES bids: 0.52 × 100, 0.53 × 200
    expect(res.fills.map((f) => `${f.price.toFixed()}x${f.quantity.toFixed()}`)).toEqual(['0.52x100', '0.53x50']);
    const yesBook = await poly.getOrderBook({ listing: POLY, outcome: 'yes' });
    expect(yesBook.bids.map((l) => `${l.price.toFixed()}x${l.size.toFixed()}`)).toEqual(['0.47x150']);
  });
});

describe('rejections change nothing', () => {
  it('tick, minimum size, balance', async () => {
    const user = randomUUID();
    await poly.getBalance({ account: { userId: user } });
    const before = await ledgerSnapshot(user);
    expect((await rejection(poly.placeOrder(order(POLY, { user, price: d('0.505') })))).code).toBe('INVALID_ORDER_MIN_TICK_SIZE');
    expect((await rejection(poly.placeOrder(order(POLY, { user, price: d('1') })))).code).toBe('INVALID_ORDER_MIN_TICK_SIZE');
    expect((await rejection(poly.placeOrder(order(POLY, { user, quantity: d('4.99') })))).code).toBe('INVALID_ORDER_MIN_SIZE');
    const err = await rejection(poly.placeOrder(order(POLY, { user, price: d('0.40'), quantity: d(5000) })));
    expect(err.code).toBe('INSUFFICIENT_BALANCE');
    expect(err.kind).toBe('rejected');
    expect(err.message).toMatch(/\$2000\.00.*\$1000\.00/);
    const small = await rejection(poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d(1), price: d('0.99') })));
    expect(small.code).toBe('INVALID_ORDER_MIN_SIZE');
    const below = await rejection(poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d(50), price: d('0.45') })));
    expect(below.code).toBe('NO_MATCH');
    expect(await ledgerSnapshot(user)).toBe(before);
    // The book is untouched by the failed orders.
    const book = await poly.getOrderBook({ listing: POLY, outcome: 'yes' });
    expect(book.asks[0]!.size.toFixed()).toBe('10');
  });

  it('a duplicate client order id is refused and the first order is found by it', async () => {
    const user = randomUUID();
    const first = order(POLY, { user, price: d('0.40'), quantity: d(10) });
    const placed = await poly.placeOrder(first);
    const before = await ledgerSnapshot(user);
    const err = await rejection(poly.placeOrder({ ...first, price: d('0.41') }));
    expect(err.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    expect(await ledgerSnapshot(user)).toBe(before);
    const found = await poly.getOrderByClientId({ account: { userId: user }, clientOrderId: first.clientOrderId, listing: POLY });
    expect(found?.venueOrderId).toBe(placed.venueOrderId);
    expect(await poly.getOrderByClientId({ account: { userId: randomUUID() }, clientOrderId: first.clientOrderId, listing: POLY })).toBeNull();
  });
});

describe('limit orders', () => {
  it('the marketable part fills now, the rest rests with cash reserved', async () => {
    const user = randomUUID();
    const res = await poly.placeOrder(order(POLY, { user, price: d('0.51'), quantity: d(40) }));
    expect(res.status).toBe('open');
    expect(res.filledQuantity.toFixed()).toBe('30');
    // 10 × 0.50 + 20 × 0.51 = 15.2 spent, 10 × 0.51 = 5.1 reserved
    expect((await poly.getBalance({ account: { userId: user } })).available.toFixed()).toBe('979.7');
    await poly.cancelOrder({ account: { userId: user }, venueOrderId: res.venueOrderId });
    expect((await poly.getBalance({ account: { userId: user } })).available.toFixed()).toBe('984.8');
  });

  it('a resting buy fills when the book crosses it: partially, then fully, with events', async () => {
    const user = randomUUID();
    const events: VenueOrderEvent[] = [];
    const off = kalshi.onOrderEvent((e) => events.push(e));
    const placed = await kalshi.placeOrder(order(KALSHI, { user, price: d('0.40'), quantity: d(20) }));
    expect(placed.status).toBe('open');
    expect(placed.filledQuantity.isZero()).toBe(true);
    expect((await kalshi.getBalance({ account: { userId: user } })).available.toFixed()).toBe('992');

    feed.setBook('kalshi', KALSHI.venueMarketId, { bids: [lv('0.36', 50)], asks: [lv('0.39', 6), lv('0.40', 2), lv('0.41', 100)] });
    await kalshi.idle();
    let o = (await kalshi.getOrder({ account: { userId: user }, venueOrderId: placed.venueOrderId }))!;
    expect(o.status).toBe('open');
    expect(o.filledQuantity.toFixed()).toBe('8');
    expect(o.fills[0]!.price.toFixed()).toBe('0.4');
    expect(events.at(-1)?.clientOrderId).toBe(placed.clientOrderId);
    expect(events.at(-1)?.order.filledQuantity.toFixed()).toBe('8');

    feed.setBook('kalshi', KALSHI.venueMarketId, { bids: [lv('0.36', 50)], asks: [lv('0.38', 100)] });
    await kalshi.idle();
    o = (await kalshi.getOrder({ account: { userId: user }, venueOrderId: placed.venueOrderId }))!;
    expect(o.status).toBe('filled');
    expect(o.filledQuantity.toFixed()).toBe('20');
    expect(o.fills.length).toBe(2);
    expect(events.at(-1)?.order.status).toBe('filled');
    // Resting fills happen at the order's price: the reserve is exactly used up.
    expect((await kalshi.getBalance({ account: { userId: user } })).available.toFixed()).toBe('992');
    expect(await kalshi.getPositions({ account: { userId: user } })).toEqual([{ venueMarketId: KALSHI.venueMarketId, outcome: 'yes', quantity: d(20) }]);
    expect((await kalshi.getFills({ account: { userId: user }, venueOrderId: placed.venueOrderId })).length).toBe(2);
    off();
  });

  it('a resting sell reserves shares, fills on crossing bids, and cancel returns the rest', async () => {
    const user = randomUUID();
    await poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: d(10), price: d('0.50') }));
    const sell = await poly.placeOrder(order(POLY, { user, action: 'sell', price: d('0.60'), quantity: d(10) }));
    expect(sell.status).toBe('open');
    const err = await rejection(poly.placeOrder(order(POLY, { user, action: 'sell', price: d('0.60'), quantity: d(5) })));
    expect(err.code).toBe('INSUFFICIENT_POSITION');
    expect(await poly.getPositions({ account: { userId: user } })).toEqual([{ venueMarketId: POLY.venueMarketId, outcome: 'yes', quantity: d(10) }]);
    const cashBefore = (await poly.getBalance({ account: { userId: user } })).available;
    feed.setBook('polymarket', POLY.venueMarketId, { bids: [lv('0.61', 4)], asks: [lv('0.63', 100)] });
    await poly.idle();
    expect((await poly.getBalance({ account: { userId: user } })).available.sub(cashBefore).toFixed()).toBe('2.4');
    const cancelled = await poly.cancelOrder({ account: { userId: user }, venueOrderId: sell.venueOrderId });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.filledQuantity.toFixed()).toBe('4');
    expect(await poly.getPositions({ account: { userId: user } })).toEqual([{ venueMarketId: POLY.venueMarketId, outcome: 'yes', quantity: d(6) }]);
    const holding = await prisma.paperHolding.findFirstOrThrow({ where: { venue: 'polymarket', accountId: user } });
    expect(holding.quantity.toString()).toBe('6');
    // Cancelling again returns the final state and changes nothing.
    const again = await poly.cancelOrder({ account: { userId: user }, venueOrderId: sell.venueOrderId });
    expect(again.status).toBe('cancelled');
    expect((await rejection(poly.cancelOrder({ account: { userId: randomUUID() }, venueOrderId: sell.venueOrderId }))).code).toBe('ORDER_NOT_FOUND');
  });

  it('an expired GTD order is cancelled on the next book, with an event and its reserve back', async () => {
    let now = new Date('2026-11-01T12:00:00Z');
    const ex = new PaperExchange({ venue: 'kalshi', prisma, feed, startingBalance: d(100), clock: () => now });
    opened.push(ex);
    const user = randomUUID();
    const events: VenueOrderEvent[] = [];
    ex.onOrderEvent((e) => events.push(e));
    const placed = await ex.placeOrder(order(KALSHI, { user, timeInForce: 'GTD', expiresAt: new Date(now.getTime() + 60_000), price: d('0.10'), quantity: d(10) }));
    expect((await ex.getBalance({ account: { userId: user } })).available.toFixed()).toBe('99');
    now = new Date(now.getTime() + 120_000);
    setBooks();
    await ex.idle();
    expect(events.map((e) => e.order.status)).toEqual(['cancelled']);
    expect(events[0]!.order.venueOrderId).toBe(placed.venueOrderId);
    expect((await ex.getBalance({ account: { userId: user } })).available.toFixed()).toBe('100');
    ex.close();
  });
});

describe('concurrency', () => {
  it('20 parallel orders on one account never overdraw it', async () => {
    const user = randomUUID();
    const ex = exchange('kalshi', d(100));
    // Each order reserves 30 × 0.30 = $9 (resting) or spends about that: only 11 fit in $100.
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => ex.placeOrder(order(KALSHI, { user, price: d('0.30'), quantity: d(30) }))),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as VenueError);
    expect(ok).toBe(11);
    expect(refused.every((e) => e.code === 'INSUFFICIENT_BALANCE')).toBe(true);
    const bal = await ex.getBalance({ account: { userId: user } });
    expect(bal.available.toFixed()).toBe('1');
    expect(bal.available.gte(ZERO)).toBe(true);
  });

  it('parallel market buys share the book: no level is taken twice', async () => {
    const users = Array.from({ length: 8 }, () => randomUUID());
    const settled = await Promise.allSettled(
      users.map((user) => poly.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: d(15), price: d('0.53') }))),
    );
    const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    // 80 on the book, 15 each: five fill, one gets 5, the last two find nothing left.
    expect(results.length).toBe(6);
    for (const r of settled) if (r.status === 'rejected') expect((r.reason as VenueError).code).toBe('NO_MATCH');
    const total = sum(results.map((r) => r.filledQuantity));
    expect(total.toFixed()).toBe('80'); // 10 + 20 + 50 on the book
    const byLevel = new Map<string, Decimal>();
    for (const f of results.flatMap((r) => r.fills)) byLevel.set(f.price.toFixed(), (byLevel.get(f.price.toFixed()) ?? ZERO).add(f.quantity));
    expect(Object.fromEntries([...byLevel].map(([k, v]) => [k, v.toFixed()]))).toEqual({ '0.5': '10', '0.51': '20', '0.53': '50' });
  });
});

describe('restart', () => {
  it('a new PaperExchange on the same database keeps resting orders matching', async () => {
    const user = randomUUID();
    const first = exchange('polymarket');
    const placed = await first.placeOrder(order(POLY, { user, price: d('0.30'), quantity: d(25) }));
    first.close();
    const second = exchange('polymarket');
    await second.ready();
    const events: VenueOrderEvent[] = [];
    second.onOrderEvent((e) => events.push(e));
    feed.setBook('polymarket', POLY.venueMarketId, { bids: [lv('0.25', 10)], asks: [lv('0.29', 1000)] });
    await second.idle();
    const o = await second.getOrder({ account: { userId: user }, venueOrderId: placed.venueOrderId });
    expect(o?.status).toBe('filled');
    expect(events.some((e) => e.clientOrderId === placed.clientOrderId && e.order.status === 'filled')).toBe(true);
    expect((await second.getBalance({ account: { userId: user } })).available.toFixed()).toBe('992.5');
  });
});

describe('fees', () => {
  it('a Polymarket market with fee parameters charges the taker, inside the amount', async () => {
    const ex = new PaperExchange({ venue: 'polymarket', prisma, feed, startingBalance: d(100), fees: { polymarket: () => ({ rate: '0.25', exponent: 2 }) } });
    opened.push(ex);
    const user = randomUUID();
    const res = await ex.placeOrder(order(POLY, { user, type: 'market', timeInForce: 'FAK', quantity: d(10), price: d('0.50') }));
    // 10 × 0.25 × (0.5 × 0.5)^2 = 0.15625 → 0.1563
    expect(res.fills[0]!.fee.toFixed()).toBe('0.1563');
    expect((await ex.getBalance({ account: { userId: user } })).available.toFixed()).toBe('94.8437');
    ex.close();
  });
});

describe('registry', () => {
  it('builds one paper venue per real venue', () => {
    const reg = createPaperRegistry({ prisma, feed, startingBalance: d(1000) });
    expect([...reg.keys()].sort()).toEqual(['kalshi', 'polymarket']);
    expect(reg.get('kalshi')!.capabilities.quantityStep.toFixed()).toBe('1');
    expect(reg.get('polymarket')!.capabilities.quantityStep.toFixed()).toBe('0.01');
    expect(reg.get('kalshi')!.takerFee({ listing: KALSHI, price: d('0.5'), quantity: d(100) }).toFixed()).toBe('1.75');
    expect(reg.get('polymarket')!.takerFee({ listing: POLY, price: d('0.5'), quantity: d(100) }).isZero()).toBe(true);
    for (const ex of reg.values()) (ex as PaperExchange).close();
  });
});
