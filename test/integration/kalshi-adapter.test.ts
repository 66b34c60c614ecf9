/**
 * Contract tests of KalshiAdapter against the fake Kalshi (real HTTP, real RSA-PSS signatures).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import type { CredentialSource, KalshiCredentials } from '../../core/exchanges/credentials.ts';
import { KalshiAdapter } from '../../core/exchanges/kalshi/adapter.ts';
import { VenueError, type ListingRef, type PlaceOrderRequest } from '../../core/exchanges/types.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';

const d = (v: string) => new Decimal(v);
let fake: FakeKalshi;
let adapter: KalshiAdapter;
const creds = new Map<string, KalshiCredentials>();
const source: CredentialSource = { polymarket: async () => null, kalshi: async (u) => creds.get(u) ?? null };
let n = 0;
let T = '';

function listing(ticker = T): ListingRef {
  return { listingId: `l-${ticker}`, marketId: `m-${ticker}`, venue: 'kalshi', venueMarketId: ticker, tickSize: d('0.01'), minSize: d('1'), negRisk: false };
}

function user(balance = '100'): { userId: string; keyId: string } {
  const userId = `u${++n}`;
  const { keyId, privateKeyPem } = fake.registerKey({ balance });
  creds.set(userId, { keyId, privateKeyPem });
  return { userId, keyId };
}

function req(userId: string, over: Partial<PlaceOrderRequest>): PlaceOrderRequest {
  return {
    account: { userId },
    listing: listing(),
    outcome: 'yes',
    action: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    clientOrderId: `yn-${crypto.randomUUID()}`,
    price: d('0.45'),
    quantity: d('1'),
    ...over,
  };
}

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VenueError);
  return err as VenueError;
}

function position(keyId: string, ticker = T): string {
  return (fake.engine.accounts.get(keyId)!.positions.get(ticker) ?? d('0')).toFixed();
}

beforeAll(async () => {
  fake = await FakeKalshi.start();
  adapter = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 400, credentials: source, marketTtlMs: 0 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.clearFaults();
  // A fresh market per test: YES bids 0.40×10, 0.39×10; NO bids 0.55×10, 0.50×10 → YES asks 0.45×10, 0.50×10.
  T = `KXT-26-${++n}`;
  fake.engine.addMarket({ ticker: T });
  fake.engine.seedBook(T, { yesBids: [['0.39', '10'], ['0.40', '10']], noBids: [['0.50', '10'], ['0.55', '10']] });
});

describe('side mapping, all four outcome/action combinations', () => {
  it.each([
    { outcome: 'yes', action: 'buy', price: '0.45', side: 'bid', sent: '0.4500', fill: '0.45', pos: '2' },
    { outcome: 'yes', action: 'sell', price: '0.40', side: 'ask', sent: '0.4000', fill: '0.4', pos: '-2' },
    { outcome: 'no', action: 'buy', price: '0.60', side: 'ask', sent: '0.4000', fill: '0.6', pos: '-2' },
    { outcome: 'no', action: 'sell', price: '0.55', side: 'bid', sent: '0.4500', fill: '0.55', pos: '2' },
  ] as const)('$outcome $action at $price → $side at $sent', async (c) => {
    const u = user();
    const order = await adapter.placeOrder(req(u.userId, { outcome: c.outcome, action: c.action, price: d(c.price), quantity: d('2'), timeInForce: 'FAK' }));
    const body = fake.orderPosts().at(-1)!.body as Record<string, unknown>;
    expect(body.side).toBe(c.side);
    expect(body.price).toBe(c.sent);
    expect(body.count).toBe('2.00');
    expect(body.self_trade_prevention_type).toBeTypeOf('string');
    expect(order.status).toBe('filled');
    expect(order.fills.map((f) => f.price.toFixed())).toEqual([c.fill]);
    expect(position(u.keyId)).toBe(c.pos); // net YES contracts at the venue
    // The same prices come back from a later lookup (outcome recovered from the venue alone).
    const again = await adapter.getOrder({ account: { userId: u.userId }, venueOrderId: order.venueOrderId });
    expect(again?.fills.map((f) => f.price.toFixed())).toEqual([c.fill]);
    const fills = await adapter.getFills({ account: { userId: u.userId } });
    expect(fills.map((f) => f.price.toFixed())).toEqual([c.fill]);
    // A fresh adapter (after a restart) reads the outcome back from the venue's order.
    const fresh = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 400, credentials: source });
    expect((await fresh.getFills({ account: { userId: u.userId } })).map((f) => f.price.toFixed())).toEqual([c.fill]);
    const positions = await adapter.getPositions({ account: { userId: u.userId } });
    expect(positions).toEqual([{ venueMarketId: T, outcome: c.pos.startsWith('-') ? 'no' : 'yes', quantity: d('2') }]);
  });
});

describe('orders', () => {
  it('partial fill rests the remainder; cancel ends it; fills carry the venue fee', async () => {
    const u = user();
    const order = await adapter.placeOrder(req(u.userId, { quantity: d('15'), price: d('0.45') }));
    expect(order.status).toBe('open');
    expect(order.filledQuantity.toFixed()).toBe('10');
    expect(order.fills).toHaveLength(1);
    expect(order.fills[0]!.fee.toFixed()).toBe('0.18'); // ceil-to-cent(0.07 × 10 × 0.45 × 0.55) = 0.18
    const cancelled = await adapter.cancelOrder({ account: { userId: u.userId }, venueOrderId: order.venueOrderId });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.filledQuantity.toFixed()).toBe('10');
    expect(cancelled.reason).toMatch(/unfilled 5 of 15/);
    // Cancelling again answers with the final state instead of failing.
    expect((await adapter.cancelOrder({ account: { userId: u.userId }, venueOrderId: order.venueOrderId })).status).toBe('cancelled');
  });

  it('if the fills cannot be read right after a fill, the order stays open (not closed without its fills) until a later read', async () => {
    const u = user();
    fake.fault({ path: '/portfolio/fills', kind: '503' });
    const order = await adapter.placeOrder(req(u.userId, { quantity: d('2'), timeInForce: 'FAK' }));
    expect(order.status).toBe('open');
    expect(order.filledQuantity.toFixed()).toBe('2');
    expect(order.fills).toEqual([]);
    const later = await adapter.getOrder({ account: { userId: u.userId }, venueOrderId: order.venueOrderId });
    expect(later?.status).toBe('filled');
    expect(later?.fills.map((f) => f.quantity.toFixed())).toEqual(['2']);
  });

  it('FOK that cannot fill whole is refused and leaves nothing; FAK takes what there is', async () => {
    const u = user();
    const before = fake.engine.accounts.get(u.keyId)!.balance.toFixed();
    const fok = await venueError(adapter.placeOrder(req(u.userId, { quantity: d('15'), timeInForce: 'FOK' })));
    expect([fok.kind, fok.code]).toEqual(['rejected', 'FOK_NOT_FILLED']);
    expect(fok.message).toMatch(/not enough volume/i);
    expect(fake.engine.accounts.get(u.keyId)!.balance.toFixed()).toBe(before);
    expect(fake.engine.ordersOf(u.keyId)).toHaveLength(0);
    const fak = await adapter.placeOrder(req(u.userId, { quantity: d('15'), timeInForce: 'FAK' }));
    expect(fak.status).toBe('cancelled');
    expect(fak.filledQuantity.toFixed()).toBe('10');
    expect(fak.reason).toMatch(/filled 10 of 15/);
  });

  it('GTD sends expiration_ts and rests until then', async () => {
    const u = user();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const order = await adapter.placeOrder(req(u.userId, { price: d('0.30'), timeInForce: 'GTD', expiresAt }));
    expect(order.status).toBe('open');
    expect((fake.orderPosts().at(-1)!.body as { expiration_ts: number }).expiration_ts).toBe(Math.floor(expiresAt.getTime() / 1000));
  });

  it('a market buy for $X never spends more than $X, even when the book moves before it lands', async () => {
    const u = user();
    // Book walk: 10 × 0.45 = 4.50, then 1 × 0.50 → 11 contracts for $5.00 (cost 5.00).
    // Just before the order lands, the 0.45 level vanishes: without a cap, 11 × 0.50 = 5.50.
    const moving: typeof fetch = async (input, init) => {
      if (init?.method === 'POST') for (const o of fake.engine.resting(T, 'ask')) if (o.price.eq('0.45')) o.status = 'canceled';
      return fetch(input, init);
    };
    const a = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 400, credentials: source, fetch: moving });
    const order = await a.placeOrder(req(u.userId, { type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d('5'), price: d('0.60') }));
    const body = fake.orderPosts().at(-1)!.body as Record<string, unknown>;
    expect(body.count).toBe('11.00');
    expect(body.buy_max_cost).toBe('5.00');
    const spent = order.fills.reduce((s, f) => s.add(f.price.mul(f.quantity)), d('0'));
    expect(spent.lte(5)).toBe(true);
    expect(order.filledQuantity.toFixed()).toBe('10'); // 10 × 0.50 = 5.00
  });

  it('a market buy NO by amount caps the NO cost too', async () => {
    const u = user();
    // NO asks = 1 − YES bids: 0.60×10, 0.61×10.
    const order = await adapter.placeOrder(req(u.userId, { outcome: 'no', type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d('3'), price: d('0.65') }));
    const spent = order.fills.reduce((s, f) => s.add(f.price.mul(f.quantity)), d('0'));
    expect(order.filledQuantity.toFixed()).toBe('5');
    expect(spent.toFixed()).toBe('3');
  });

  it('venue rules are checked before sending: grid, whole contracts, closed market', async () => {
    const u = user();
    const posts = fake.orderPosts().length;
    const offGrid = await venueError(adapter.placeOrder(req(u.userId, { price: d('0.455') })));
    expect([offGrid.kind, offGrid.code]).toEqual(['rejected', 'INVALID_PRICE']);
    const frac = await venueError(adapter.placeOrder(req(u.userId, { quantity: d('1.5') })));
    expect([frac.kind, frac.code]).toEqual(['rejected', 'INVALID_SIZE']);
    expect(frac.message).toMatch(/whole number of contracts/);
    fake.engine.market(T).status = 'closed';
    const closed = await venueError(adapter.placeOrder(req(u.userId, {})));
    expect([closed.kind, closed.code]).toEqual(['rejected', 'MARKET_CLOSED']);
    expect(closed.message).toMatch(/closed/);
    expect(fake.orderPosts().length).toBe(posts);
  });

  it('a market that closes after the rules were read: the venue refusal maps to MARKET_CLOSED', async () => {
    const u = user();
    const cached = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 400, credentials: source, marketTtlMs: 60_000 });
    await cached.placeOrder(req(u.userId, { price: d('0.30') }));
    fake.engine.market(T).status = 'closed';
    const err = await venueError(cached.placeOrder(req(u.userId, { price: d('0.30') })));
    expect([err.kind, err.code]).toEqual(['rejected', 'MARKET_CLOSED']);
  });

  it('a grid that changed after the rules were read: the venue refusal maps to INVALID_PRICE', async () => {
    const u = user();
    fake.engine.market(T).priceLevelStructure = 'deci_cent';
    const cached = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 400, credentials: source, marketTtlMs: 60_000 });
    await cached.placeOrder(req(u.userId, { price: d('0.305') }));
    fake.engine.market(T).priceLevelStructure = 'linear_cent';
    const err = await venueError(cached.placeOrder(req(u.userId, { price: d('0.305') })));
    expect([err.kind, err.code]).toEqual(['rejected', 'INVALID_PRICE']);
    expect(err.message).toMatch(/0\.305 is not a valid price/);
  });

  it('insufficient balance is refused with a readable reason and leaves no order', async () => {
    const u = user('1');
    const err = await venueError(adapter.placeOrder(req(u.userId, { quantity: d('5'), price: d('0.45') })));
    expect([err.kind, err.code]).toEqual(['rejected', 'INSUFFICIENT_BALANCE']);
    expect(err.message).toMatch(/not enough balance/i);
    expect(fake.engine.ordersOf(u.keyId)).toHaveLength(0);
  });

  it('a duplicate client order id is refused by the venue (409)', async () => {
    const u = user();
    const r = req(u.userId, { price: d('0.30') });
    await adapter.placeOrder(r);
    const err = await venueError(adapter.placeOrder(r));
    expect([err.kind, err.code]).toEqual(['rejected', 'DUPLICATE']);
    expect(fake.engine.ordersOf(u.keyId)).toHaveLength(1);
  });
});

describe('lost answers and unavailability', () => {
  it('a response dropped after the venue acted is an unknown outcome; the order is found by client id, placed once', async () => {
    const u = user();
    const r = req(u.userId, { quantity: d('3') });
    fake.fault({ path: '/portfolio/events/orders', method: 'POST', kind: 'drop' });
    const err = await venueError(adapter.placeOrder(r));
    expect([err.kind, err.code]).toEqual(['unknown_outcome', 'CONNECTION_DROPPED']);
    const found = await adapter.getOrderByClientId({ account: r.account, clientOrderId: r.clientOrderId, listing: r.listing });
    expect(found?.clientOrderId).toBe(r.clientOrderId);
    expect(found?.status).toBe('filled');
    expect(found?.fills.map((f) => f.quantity.toFixed())).toEqual(['3']);
    expect(fake.engine.ordersOf(u.keyId)).toHaveLength(1);
  });

  it('a timeout while the venue is slow is an unknown outcome, and the order turns up', async () => {
    const u = user();
    const r = req(u.userId, { price: d('0.30') });
    fake.fault({ path: '/portfolio/events/orders', method: 'POST', kind: 'delay', delayMs: 700 });
    const err = await venueError(adapter.placeOrder(r));
    expect([err.kind, err.code]).toEqual(['unknown_outcome', 'TIMEOUT']);
    await new Promise((res) => setTimeout(res, 400));
    const found = await adapter.getOrderByClientId({ account: r.account, clientOrderId: r.clientOrderId, listing: r.listing });
    expect(found?.status).toBe('open');
  });

  it('a 500 after acting is an unknown outcome; a 429 or 503 on the order is not placed', async () => {
    const u = user();
    const r = req(u.userId, { price: d('0.30') });
    fake.fault({ path: '/portfolio/events/orders', method: 'POST', kind: '500-after' });
    expect((await venueError(adapter.placeOrder(r))).kind).toBe('unknown_outcome');
    expect(await adapter.getOrderByClientId({ account: r.account, clientOrderId: r.clientOrderId, listing: r.listing })).not.toBeNull();

    const r2 = req(u.userId, { price: d('0.30') });
    fake.fault({ path: '/portfolio/events/orders', method: 'POST', kind: '429' });
    const limited = await venueError(adapter.placeOrder(r2));
    expect([limited.kind, limited.code]).toEqual(['retryable', 'RATE_LIMITED']);
    expect(await adapter.getOrderByClientId({ account: r2.account, clientOrderId: r2.clientOrderId, listing: r2.listing })).toBeNull();
  });

  it('a 5xx before sending (reading the market rules) is retryable and nothing is sent', async () => {
    const u = user();
    const posts = fake.orderPosts().length;
    fake.fault({ path: `/markets/${T}`, kind: '503' });
    const err = await venueError(adapter.placeOrder(req(u.userId, {})));
    expect(err.kind).toBe('retryable');
    expect(fake.orderPosts().length).toBe(posts);
  });

  it('a connection refused before sending is retryable', async () => {
    const gone = await FakeKalshi.start();
    const url = gone.url;
    await gone.stop();
    const dead = new KalshiAdapter({ apiUrl: url, timeoutMs: 400, credentials: source });
    const u = user();
    const err = await venueError(dead.getBalance({ account: { userId: u.userId } }));
    expect([err.kind, err.code]).toEqual(['retryable', 'NETWORK']);
  });
});

describe('accounts and keys', () => {
  it('balance, in dollars', async () => {
    const u = user('12.34');
    expect((await adapter.getBalance({ account: { userId: u.userId } })).available.toFixed()).toBe('12.34');
  });

  it('a user who has not linked Kalshi gets NOT_LINKED', async () => {
    const err = await venueError(adapter.getBalance({ account: { userId: 'nobody' } }));
    expect([err.kind, err.code]).toEqual(['rejected', 'NOT_LINKED']);
    expect(err.message).toMatch(/link your kalshi account/i);
  });

  it('a key that does not match its key id is a 401 → rejected with a plain message and no key material', async () => {
    const u = user();
    const other = fake.registerKey({ balance: '1' });
    creds.set(u.userId, { keyId: u.keyId, privateKeyPem: other.privateKeyPem });
    const err = await venueError(adapter.placeOrder(req(u.userId, {})));
    expect([err.kind, err.code]).toEqual(['rejected', 'AUTH']);
    expect(err.message).toMatch(/signature/i);
    expect(err.message).not.toMatch(/PRIVATE KEY|MII/);
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(other.privateKeyPem.split('\n')[1]!);
    expect(fake.orderPosts().filter((p) => p.keyId === u.keyId)).toHaveLength(0);
  });

  it('a revoked key and an unknown key id are refused', async () => {
    const u = user();
    fake.revokeKey(u.keyId);
    const revoked = await venueError(adapter.getBalance({ account: { userId: u.userId } }));
    expect([revoked.kind, revoked.code]).toEqual(['rejected', 'AUTH']);
    expect(revoked.message).toMatch(/revoked/);
    creds.set(u.userId, { keyId: 'no-such-key', privateKeyPem: creds.get(u.userId)!.privateKeyPem });
    expect((await venueError(adapter.getBalance({ account: { userId: u.userId } }))).message).toMatch(/does not know this API key/);
  });

  it('a stale timestamp (skewed clock) is refused', async () => {
    const u = user();
    const skewed = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 400, credentials: source, clock: () => new Date(Date.now() - 120_000) });
    const err = await venueError(skewed.getBalance({ account: { userId: u.userId } }));
    expect([err.kind, err.code]).toEqual(['rejected', 'AUTH']);
  });

  it('the fake refuses a PSS signature with Node’s default (maximum) salt length', async () => {
    const u = user();
    const { privateKeyPem } = creds.get(u.userId)!;
    const ts = String(Date.now());
    const path = '/trade-api/v2/portfolio/balance';
    const sig = (await import('node:crypto'))
      .sign('sha256', Buffer.from(`${ts}GET${path}`), { key: privateKeyPem, padding: (await import('node:crypto')).constants.RSA_PKCS1_PSS_PADDING })
      .toString('base64');
    const res = await fetch(`${fake.url}/portfolio/balance`, {
      headers: { 'KALSHI-ACCESS-KEY': u.keyId, 'KALSHI-ACCESS-TIMESTAMP': ts, 'KALSHI-ACCESS-SIGNATURE': sig },
    });
    expect(res.status).toBe(401);
  });
});
