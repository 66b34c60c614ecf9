/**
 * The real TradingService + OrderStore on real Postgres, trading through KalshiAdapter against the
 * fake Kalshi: the venue's fills/fees land in the database, a lost response is found by client id
 * and never sent twice, refusals fail the order with a readable reason and leave nothing behind.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../core/create-core.ts';
import type { CredentialSource, KalshiCredentials } from '../../core/exchanges/credentials.ts';
import { KalshiAdapter } from '../../core/exchanges/kalshi/adapter.ts';
import type { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import { createPaperRegistry } from '../../core/exchanges/registry.ts';
import type { ExchangeAdapter, Venue } from '../../core/exchanges/types.ts';
import { DEMO_CATALOG, seedCatalog } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { Decimal, dec } from '../../core/money.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const d = (s: string) => new Decimal(s);
const MARKET = 'cpi-above-3-nov-2026'; // Kalshi only
const TICKER = 'KXCPIYOY-26NOV-T3.0';

let db: TestDatabase;
let fake: FakeKalshi;
let core: Core;
let paper: Map<Venue, ExchangeAdapter>;
let kalshi: KalshiAdapter;
const creds = new Map<string, KalshiCredentials>();
const source: CredentialSource = { polymarket: async () => null, kalshi: async (u) => creds.get(u) ?? null };
const jobs: JobPort = { async send() {} };

async function newUser(balance = '100'): Promise<{ userId: string; keyId: string }> {
  const userId = (await db.prisma.user.create({ data: { name: `k${creds.size}` } })).id;
  const { keyId, privateKeyPem } = fake.registerKey({ balance });
  creds.set(userId, { keyId, privateKeyPem });
  return { userId, keyId };
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedCatalog(db.prisma, DEMO_CATALOG);
  fake = await FakeKalshi.start();
  fake.engine.addMarket({ ticker: TICKER });
  const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
  paper = createPaperRegistry({ prisma: db.prisma, feed, startingBalance: d('1000') });
  kalshi = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 500, credentials: source });
  core = await createCore({
    prisma: db.prisma,
    jobs,
    adapters: new Map<Venue, ExchangeAdapter>([
      ['polymarket', paper.get('polymarket')!],
      ['kalshi', kalshi],
    ]),
    settings: { mode: 'paper', maxOrderUsd: d('10000'), defaultSlippage: d('0.05') },
    lookupRetries: { attempts: 3, delayMs: 20 },
  });
});
afterAll(async () => {
  core?.detach();
  paper?.forEach((a) => (a as PaperExchange).close());
  kalshi?.close();
  await fake?.stop();
  await db?.drop();
});
beforeEach(() => {
  fake.clearFaults();
  // Refill: YES bids 0.40×50; NO bids 0.58×50 → YES asks 0.42×50.
  for (const o of fake.engine.orders.values()) if (o.keyId === '__maker__') o.status = 'canceled';
  fake.engine.seedBook(TICKER, { yesBids: [['0.40', '50']], noBids: [['0.58', '50']] });
});

describe('TradingService over the Kalshi adapter', () => {
  it('a limit buy of NO fills at the NO price with the venue’s fee, and the position is NO', async () => {
    const u = await newUser();
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'no', action: 'buy', type: 'limit', quantity: d('5'), price: d('0.60'), source: 'manual' });
    expect(order.exchange).toBe('kalshi');
    expect(order.status).toBe('filled');
    const fills = await db.prisma.fill.findMany({ where: { orderId: order.id } });
    // NO at 0.60 = an ask at 0.40 on the YES book, matched by the 0.40 YES bid.
    expect(fills.map((f) => [dec(f.price).toFixed(), dec(f.quantity).toFixed(), dec(f.fee).toFixed()])).toEqual([['0.6', '5', '0.09']]);
    expect(fake.engine.accounts.get(u.keyId)!.positions.get(TICKER)?.toFixed()).toBe('-5');
  });

  it('a response lost after the venue acted: found by client id, filled, sent exactly once', async () => {
    const u = await newUser();
    fake.fault({ path: '/portfolio/events/orders', method: 'POST', kind: 'drop' });
    const posts = fake.orderPosts().length;
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'market', amount: d('4'), source: 'manual' });
    expect(order.status).toBe('filled');
    expect(order.filledQuantity.toFixed()).toBe('9'); // $4 at 0.42 → 9 contracts ($3.78)
    expect(fake.orderPosts().length).toBe(posts + 1);
    expect(fake.engine.ordersOf(u.keyId)).toHaveLength(1);
    const fills = await db.prisma.fill.findMany({ where: { orderId: order.id } });
    expect(fills.reduce((s, f) => s.add(dec(f.price).mul(dec(f.quantity))), d('0')).lte(4)).toBe(true);
  });

  it('insufficient balance: the order fails with the venue’s reason, nothing rests at the venue', async () => {
    const u = await newUser('1');
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.30'), source: 'manual' });
    expect(order.status).toBe('failed');
    expect(order.failureReason).toMatch(/kalshi rejected the order: Not enough balance on Kalshi/);
    expect(fake.engine.ordersOf(u.keyId)).toHaveLength(0);
  });

  it('a user without a linked key gets a plain failure, nothing sent', async () => {
    const userId = (await db.prisma.user.create({ data: { name: 'unlinked' } })).id;
    const posts = fake.orderPosts().length;
    const order = await core.trading.placeOrder({ userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('1'), price: d('0.30'), source: 'manual' });
    expect(order.status).toBe('failed');
    expect(order.failureReason).toMatch(/Link your Kalshi account/);
    expect(fake.orderPosts().length).toBe(posts);
  });

  it('a resting order is cancelled through the service and the venue', async () => {
    const u = await newUser();
    const placed = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('3'), price: d('0.30'), source: 'manual' });
    expect(placed.status).toBe('pending');
    const cancelled = await core.trading.cancelOrder({ userId: u.userId, orderId: placed.id });
    expect(cancelled.status).toBe('cancelled');
    expect(fake.engine.ordersOf(u.keyId)[0]!.status).toBe('canceled');
  });
});
