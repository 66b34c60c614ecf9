/**
 * PriceSync scheduling, without a database: bursts of updates for one listing coalesce into at most
 * one more evaluation with the latest book (never a queue), listings evaluate independently, an older
 * book than one already evaluated is skipped, and only the listing that moved is evaluated. Also the
 * sniper worst-price rule.
 */
import { describe, expect, it } from 'vitest';
import { Background } from '../../core/automation/background.ts';
import { PriceSync } from '../../core/automation/price-sync.ts';
import { sniperWorstPrice, type SniperMonitorScheduler, type SniperPrices } from '../../core/automation/snipers.ts';
import type { TpslMonitor, TpslPrices } from '../../core/automation/tpsl.ts';
import type { Db } from '../../core/db/client.ts';
import type { OrderBook, Outcome, Venue } from '../../core/exchanges/types.ts';
import { DEMO_CATALOG, demoConditionId, listingRefOf } from '../../core/markets/catalog.ts';
import type { MarketDirectory } from '../../core/markets/directory.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import type { MarketDataFeed } from '../../core/markets/types.ts';
import { Decimal } from '../../core/money.ts';
import { loadConfig, marketStaleSeconds } from '../../core/config.ts';

const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });
const APPLE = 'apple-foldable-2026';
const NVDA = 'nvidia-largest-2026';

function directory(): MarketDirectory {
  const markets = DEMO_CATALOG.map((m) => ({
    id: m.id,
    slug: m.slug,
    title: m.title,
    category: m.category,
    status: 'open',
    closesAt: null,
    listings: m.listings.map((l) => listingRefOf(m, l)),
  }));
  const byListing = new Map(markets.flatMap((m) => m.listings.map((l) => [l.listingId, { market: m, listing: l }] as const)));
  return {
    get: (id: string) => markets.find((m) => m.id === id),
    listing: (id: string) => byListing.get(id),
    byVenueMarketId: (venue: Venue, vmid: string) => [...byListing.values()].find((h) => h.listing.venue === venue && h.listing.venueMarketId === vmid),
  } as unknown as MarketDirectory;
}

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

function setup(feed: MarketDataFeed) {
  const sniperCalls: SniperPrices[] = [];
  const tpslCalls: TpslPrices[] = [];
  let hold: Promise<void> | null = null;
  const snipers = {
    async evaluate(p: SniperPrices) {
      sniperCalls.push(p);
      if (hold) await hold;
      return [];
    },
  } as unknown as SniperMonitorScheduler;
  const tpsl = {
    async evaluate(p: TpslPrices) {
      tpslCalls.push(p);
      return [];
    },
  } as unknown as TpslMonitor;
  const prisma = { $queryRawUnsafe: async () => [{ was_stale: false, prev_at: null }] } as unknown as Db;
  const sync = new PriceSync({
    prisma,
    jobs: { async send() {} },
    feed,
    directory: directory(),
    snipers,
    tpsl,
    background: new Background(),
    isHalted: async () => false,
    clock: () => new Date(),
    staleSeconds: 0,
  });
  sync.start();
  return { sync, sniperCalls, tpslCalls, hold: (p: Promise<void> | null) => (hold = p) };
}

describe('PriceSync scheduling', () => {
  it('coalesces a burst: one evaluation running, at most one more with the latest book', async () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 1, tickMs: 0 });
    const t = setup(feed);
    const g = gate();
    t.hold(g.p);
    const vmid = demoConditionId(APPLE);
    for (let i = 0; i < 100; i++) {
      const ask = (0.5 + i * 0.001).toFixed(3);
      feed.setBook('polymarket', vmid, { bids: [lv('0.40', '10')], asks: [lv(ask, '10')] });
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(t.sniperCalls).toHaveLength(1);
    t.hold(null);
    g.open();
    await t.sync.idle();
    expect(t.sniperCalls).toHaveLength(2);
    expect(t.sniperCalls[1]!.asks.yes.venue!.toFixed()).toBe('0.599'); // the latest book
    expect(t.tpslCalls.at(-1)!.bids.yes!.toFixed()).toBe('0.4');
    await t.sync.stop();
  });

  it('evaluates only the listing that moved; listings do not wait for each other', async () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 1, tickMs: 0 });
    const t = setup(feed);
    const g = gate();
    t.hold(g.p);
    feed.setMid('polymarket', demoConditionId(APPLE), d('0.5'));
    feed.setMid('polymarket', demoConditionId(NVDA), d('0.5'));
    await new Promise((r) => setTimeout(r, 10));
    expect(t.sniperCalls.map((c) => c.marketId).sort()).toEqual([APPLE, NVDA]);
    t.hold(null);
    g.open();
    await t.sync.idle();
    expect(t.tpslCalls.map((c) => c.listingId).sort()).toEqual([`${APPLE}:polymarket`, `${NVDA}:polymarket`]);
    await t.sync.stop();
  });

  it('skips a book older than one already evaluated (out of order)', async () => {
    let at = 1_000_000;
    let ask = '0.50';
    const book = (outcome: Outcome): OrderBook => ({
      venue: 'polymarket',
      venueMarketId: demoConditionId(APPLE),
      outcome,
      bids: [lv('0.40', '10')],
      asks: [lv(ask, '10')],
      timestamp: new Date(at),
    });
    const feed = { getBook: (_v: Venue, vmid: string, o: Outcome) => (vmid === demoConditionId(APPLE) ? book(o) : null) } as unknown as MarketDataFeed;
    const t = setup({ ...feed, onUpdate: () => () => {}, start: async () => {}, stop: async () => {} });
    const update = () => t.sync.onUpdate({ venue: 'polymarket', venueMarketId: demoConditionId(APPLE), timestamp: new Date(at) });
    update();
    await t.sync.idle();
    at -= 500; // a lagging source hands an older book
    ask = '0.10';
    update();
    await t.sync.idle();
    expect(t.sniperCalls).toHaveLength(1);
    at += 1_000;
    update();
    await t.sync.idle();
    expect(t.sniperCalls).toHaveLength(2);
  });
});

describe('sniper worst price', () => {
  it('is trigger × (1 + slippage), kept below $1 (the venue tick rounding happens in TradingService)', () => {
    expect(sniperWorstPrice(d('0.42'), d('0.02')).toFixed()).toBe('0.4284');
    expect(sniperWorstPrice(d('0.42'), d('0')).toFixed()).toBe('0.42');
    expect(sniperWorstPrice(d('0.99'), d('0.05')).toFixed()).toBe('0.999999');
  });
});

describe('MARKET_STALE_SECONDS', () => {
  it('defaults to 30, is off without a synthetic walk unless set, and 0 turns it off', () => {
    expect(marketStaleSeconds(loadConfig({}))).toBe(30);
    expect(marketStaleSeconds(loadConfig({ MARKET_TICK_MS: '0' }))).toBe(0);
    expect(marketStaleSeconds(loadConfig({ MARKET_TICK_MS: '0', MARKET_STALE_SECONDS: '5' }))).toBe(5);
    expect(marketStaleSeconds(loadConfig({ MARKET_STALE_SECONDS: '0' }))).toBe(0);
    expect(() => loadConfig({ MARKET_STALE_SECONDS: '-1' })).toThrow(/MARKET_STALE_SECONDS/);
    expect(loadConfig({}).PRICE_HISTORY_HOURS).toBe(24);
  });
});
