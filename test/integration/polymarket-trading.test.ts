/**
 * The real TradingService + OrderStore on real Postgres, trading through PolymarketAdapter against
 * the fake CLOB: the venue's fills land in the database, the signed order's hash is stored before
 * sending, a lost response is found by that hash and never sent twice, refusals fail the order with a
 * readable reason and leave nothing at the venue.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../core/create-core.ts';
import type { CredentialSource, PolymarketCredentials } from '../../core/exchanges/credentials.ts';
import type { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import { PolymarketAdapter } from '../../core/exchanges/polymarket/adapter.ts';
import { createOrDeriveApiCreds, generateSubWallet } from '../../core/exchanges/polymarket/wallet.ts';
import { createPaperRegistry } from '../../core/exchanges/registry.ts';
import type { ExchangeAdapter, Venue } from '../../core/exchanges/types.ts';
import { DEMO_CATALOG, demoConditionId, demoTokenId, seedCatalog } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { Decimal, dec } from '../../core/money.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import { FakeClob } from '../fakes/polymarket/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const d = (s: string) => new Decimal(s);
const MARKET = 'taylor-swift-album-2026'; // Polymarket only
const YES = demoTokenId(MARKET, 'yes');

let db: TestDatabase;
let clob: FakeClob;
let core: Core;
let paper: Map<Venue, ExchangeAdapter>;
let polymarket: PolymarketAdapter;
const creds = new Map<string, PolymarketCredentials>();
const source: CredentialSource = { polymarket: async (u) => creds.get(u) ?? null, kalshi: async () => null };
const jobs: JobPort = { async send() {} };

async function newUser(usdc = '100'): Promise<{ userId: string; address: string }> {
  const userId = (await db.prisma.user.create({ data: { name: `p${creds.size}` } })).id;
  const w = generateSubWallet();
  const apiCreds = await createOrDeriveApiCreds({ privateKey: w.privateKey, clobUrl: clob.url, chainId: 137 });
  creds.set(userId, { privateKey: w.privateKey, address: w.address, signatureType: 0, apiCreds });
  clob.fund({ address: w.address, usdc });
  return { userId, address: w.address };
}
const venueOrdersOf = (address: string) => [...clob.engine.orders.values()].filter((o) => o.maker === address.toLowerCase());

beforeAll(async () => {
  db = await createTestDatabase();
  await seedCatalog(db.prisma, DEMO_CATALOG);
  clob = new FakeClob({ chainId: 137 });
  await clob.start();
  clob.engine.addMarket({ conditionId: demoConditionId(MARKET), tokens: [{ tokenId: YES, outcome: 'Yes' }, { tokenId: demoTokenId(MARKET, 'no'), outcome: 'No' }] });
  const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
  paper = createPaperRegistry({ prisma: db.prisma, feed, startingBalance: d('1000') });
  polymarket = new PolymarketAdapter({ clobUrl: clob.url, chainId: 137, credentials: source, timeoutMs: 500 });
  core = await createCore({
    prisma: db.prisma,
    jobs,
    adapters: new Map<Venue, ExchangeAdapter>([
      ['polymarket', polymarket],
      ['kalshi', paper.get('kalshi')!],
    ]),
    settings: { mode: 'paper', maxOrderUsd: d('10000'), defaultSlippage: d('0.05') },
    lookupRetries: { attempts: 3, delayMs: 20 },
  });
});
afterAll(async () => {
  core?.detach();
  paper?.forEach((a) => (a as PaperExchange).close());
  polymarket?.close();
  await clob?.stop();
  await db?.drop();
});
beforeEach(() => {
  clob.clearFaults();
  clob.engine.clearBooks();
  clob.engine.seedBook({ tokenId: YES, bids: [{ price: '0.42', size: '50' }], asks: [{ price: '0.44', size: '20' }, { price: '0.45', size: '100' }] });
});

describe('TradingService over the Polymarket adapter', () => {
  it('a market buy by amount fills at the venue prices, spends at most the amount, stores the hash', async () => {
    const u = await newUser();
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'market', amount: d('10'), source: 'manual' });
    expect(order.exchange).toBe('polymarket');
    expect(order.status).toBe('filled');
    const row = await db.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(row.venueOrderId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(clob.engine.orders.get(row.venueOrderId!)).toBeTruthy();
    const fills = await db.prisma.fill.findMany({ where: { orderId: order.id }, orderBy: { price: 'asc' } });
    expect(fills.map((f) => dec(f.price).toFixed())).toEqual(['0.44', '0.45']);
    expect(fills.reduce((s, f) => s.add(dec(f.price).mul(dec(f.quantity))), d('0')).lte(10)).toBe(true);
  });

  it('a response lost after the venue acted: found by hash, filled, sent exactly once', async () => {
    const u = await newUser();
    clob.fault({ method: 'POST', path: '/order', kind: 'drop' });
    const posts = clob.count('POST', '/order');
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'market', amount: d('4'), source: 'manual' });
    expect(order.status).toBe('filled');
    expect(clob.count('POST', '/order')).toBe(posts + 1);
    expect(venueOrdersOf(u.address)).toHaveLength(1);
    const row = await db.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(row.venueOrderId).toBe(venueOrdersOf(u.address)[0]!.id);
  });

  it('insufficient balance: the order fails with a readable reason, nothing rests at the venue', async () => {
    const u = await newUser('1');
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.30'), source: 'manual' });
    expect(order.status).toBe('failed');
    expect(order.failureReason).toMatch(/polymarket rejected the order: not enough USDC/);
    expect(venueOrdersOf(u.address)).toHaveLength(0);
  });

  it('a user without a linked wallet gets a plain failure, nothing sent', async () => {
    const userId = (await db.prisma.user.create({ data: { name: 'unlinked-pm' } })).id;
    const posts = clob.count('POST', '/order');
    const order = await core.trading.placeOrder({ userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('5'), price: d('0.30'), source: 'manual' });
    expect(order.status).toBe('failed');
    expect(order.failureReason).toMatch(/no Polymarket account is linked/);
    expect(clob.count('POST', '/order')).toBe(posts);
  });

  it('a resting order is cancelled through the service and the venue', async () => {
    const u = await newUser();
    const placed = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('6'), price: d('0.30'), source: 'manual' });
    expect(placed.status).toBe('pending');
    const cancelled = await core.trading.cancelOrder({ userId: u.userId, orderId: placed.id });
    expect(cancelled.status).toBe('cancelled');
    expect(venueOrdersOf(u.address)[0]!.status).toBe('CANCELED');
  });

  it('a 500 after sending (order not taken) ends failed after the lookup, never a 5xx to the caller', async () => {
    const u = await newUser();
    clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 500 });
    const order = await core.trading.placeOrder({ userId: u.userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('5'), price: d('0.30'), source: 'manual' });
    expect(order.status).toBe('failed');
    expect(order.failureReason).toMatch(/did not confirm the order and it was not found/);
    expect(venueOrdersOf(u.address)).toHaveLength(0);
  });
});
