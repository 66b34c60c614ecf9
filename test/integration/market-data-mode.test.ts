/**
 * MARKET_DATA at start (core/markets/market-data.ts and main.ts): synthetic ↔ live switch the demo
 * catalog between open and paused; auto picks synthetic when the venues point nowhere (whole process);
 * live trading always uses live data.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { MarketDirectory } from '../../core/markets/directory.ts';
import { startMarketData, type MarketDataConfig } from '../../core/markets/market-data.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { FakeClob } from '../fakes/polymarket/index.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestStack } from '../helpers/stack.ts';

const silent = { info: () => {}, warn: () => {} };
const clob = new FakeClob();
let kalshi: FakeKalshi;
let db: TestDatabase;
let nowhere: string;

beforeAll(async () => {
  await clob.start();
  kalshi = await FakeKalshi.start();
  db = await createTestDatabase();
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  nowhere = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(async () => {
  await Promise.all([clob.stop(), kalshi.stop(), db.drop()]);
});

const config = (over: Partial<MarketDataConfig>): MarketDataConfig => ({
  MARKET_DATA: 'auto',
  TRADING_MODE: 'paper',
  MARKET_SEED: 42,
  MARKET_TICK_MS: 0,
  MARKET_POLL_SECONDS: 0.2,
  POLYMARKET_CLOB_URL: clob.url,
  POLYMARKET_WS_URL: 'ws://127.0.0.1:1/ws',
  KALSHI_API_URL: kalshi.url,
  VENUE_TIMEOUT_MS: 1000,
  ...over,
});

async function openDemo(): Promise<number> {
  return db.prisma.market.count({ where: { id: 'fed-cut-dec-2026', status: 'open' } });
}

describe('startMarketData', () => {
  it('synthetic seeds the demo catalog open; live pauses it and serves only real listings; synthetic reopens it', async () => {
    const lines: string[] = [];
    const log = { info: (_o: unknown, m?: string) => lines.push(m ?? ''), warn: (_o: unknown, m?: string) => lines.push(m ?? '') };
    const synth = await startMarketData({ config: config({ MARKET_DATA: 'synthetic' }), prisma: db.prisma, log, staleSeconds: 30 });
    expect(synth.kind).toBe('synthetic');
    expect(synth.feed).toBeInstanceOf(SyntheticMarketFeed);
    expect(synth.feed.getBook('kalshi', 'KXFEDCUT-26DEC', 'yes')?.asks.length).toBeGreaterThan(0);
    expect(synth.apis).toBeNull();
    await synth.stop();
    expect(await openDemo()).toBe(1);
    expect(lines.join('\n')).toMatch(/market data: synthetic \(MARKET_DATA=synthetic: the venues are never called\)/);

    // A real listing next to the demo ones.
    const cid = `0x${'7'.repeat(64)}`;
    clob.engine.addMarket({ conditionId: cid, tokens: [{ tokenId: '71', outcome: 'Yes' }, { tokenId: '72', outcome: 'No' }] });
    clob.engine.seedBook({ tokenId: '71', bids: [{ price: '0.3', size: '10' }], asks: [{ price: '0.35', size: '10' }] });
    await db.prisma.market.create({ data: { id: 'real-one', slug: 'real-one', title: 'Real one', category: 'test' } });
    await db.prisma.marketListing.create({ data: { id: 'real-one:polymarket', marketId: 'real-one', venue: 'polymarket', venueMarketId: cid, yesTokenId: '71', noTokenId: '72', tickSize: '0.01', minSize: '5' } });

    const live = await startMarketData({ config: config({ MARKET_DATA: 'auto' }), prisma: db.prisma, log, staleSeconds: 30 });
    expect(live.kind).toBe('live');
    expect(await openDemo()).toBe(0);
    const directory = new MarketDirectory(db.prisma);
    await directory.load();
    await live.attach(directory, { reloadMs: 0 });
    const deadline = Date.now() + 20_000; // the first poll round; seconds on a loaded machine
    while (!live.feed.getBook('polymarket', cid, 'yes') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(live.feed.getBook('polymarket', cid, 'yes')?.asks[0]?.price.toFixed()).toBe('0.35');
    // Demo listings are never polled (their ids are invented): only the real listing is served.
    expect(live.live!.status().map((s) => s.venueMarketId)).toEqual([cid]);
    await live.stop();

    const again = await startMarketData({ config: config({ MARKET_DATA: 'synthetic' }), prisma: db.prisma, log: silent, staleSeconds: 30 });
    await again.stop();
    expect(await openDemo()).toBe(1);
    expect(await db.prisma.market.count({ where: { id: 'real-one', status: 'open' } })).toBe(1);
  });

  it('TRADING_MODE=live: auto means live without a probe; an explicit synthetic is honoured with a warning', async () => {
    const lines: string[] = [];
    const log = { info: () => {}, warn: (_o: unknown, m?: string) => lines.push(m ?? '') };
    const probesBefore = clob.requests.length;
    const md = await startMarketData({
      config: config({ MARKET_DATA: 'auto', TRADING_MODE: 'live', POLYMARKET_CLOB_URL: nowhere, KALSHI_API_URL: `${nowhere}/trade-api/v2` }),
      prisma: db.prisma,
      log,
      staleSeconds: 30,
    });
    expect(md.kind).toBe('live');
    expect(md.reason).toMatch(/MARKET_DATA=live/);
    expect(clob.requests.length).toBe(probesBefore);
    await md.stop();
    const synth = await startMarketData({ config: config({ MARKET_DATA: 'synthetic', TRADING_MODE: 'live' }), prisma: db.prisma, log, staleSeconds: 30 });
    expect(synth.kind).toBe('synthetic');
    expect(lines.join('\n')).toMatch(/MARKET_DATA=synthetic with TRADING_MODE=live: snipers, TP\/SL and alerts run on synthetic prices/);
    await synth.stop();
  });
});

describe('the whole process with MARKET_DATA=auto', () => {
  it('venues unreachable → the synthetic catalog and walk, trading works as before', async () => {
    const t0 = Date.now();
    const stack = await startTestStack({ MARKET_DATA: 'auto', POLYMARKET_CLOB_URL: nowhere, KALSHI_API_URL: `${nowhere}/trade-api/v2`, POLYMARKET_WS_URL: 'ws://127.0.0.1:1/ws' }, { workers: false });
    try {
      expect(Date.now() - t0).toBeLessThan(30_000); // no hang on the unreachable venues (a loaded machine starts slowly)
      expect(stack.marketData.kind).toBe('synthetic');
      expect(stack.marketData.reason).toMatch(/unreachable/);
      expect(stack.marketData.feed).toBe(stack.feed);
      const fed = stack.core.directory.get('fed-cut-dec-2026');
      expect(fed?.status).toBe('open');
      stack.feed.setMid('kalshi', 'KXFEDCUT-26DEC', new Decimal('0.5'));
      expect(stack.feed.getBook('kalshi', 'KXFEDCUT-26DEC', 'yes')?.bids[0]?.price.lt('0.5')).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});
