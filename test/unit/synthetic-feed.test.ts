import { describe, expect, it } from 'vitest';
import { Decimal, ONE, isMultipleOf } from '../../core/money.ts';
import { DEMO_CATALOG, demoConditionId, findCatalogListing } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { mulberry32 } from '../../core/markets/rng.ts';
import type { OrderBook } from '../../core/exchanges/types.ts';
import type { BookUpdate } from '../../core/markets/types.ts';

const d = (s: string) => new Decimal(s);
const clock = () => new Date('2026-11-01T12:00:00Z');
const allListings = DEMO_CATALOG.flatMap((m) => m.listings);

function snapshot(feed: SyntheticMarketFeed): string {
  return allListings
    .map((l) => {
      const b = feed.getBook(l.venue, l.venueMarketId, 'yes')!;
      return `${l.id}:${b.bids.map((x) => `${x.price}x${x.size}`).join(',')}|${b.asks.map((x) => `${x.price}x${x.size}`).join(',')}`;
    })
    .join('\n');
}

function expectMirror(yes: OrderBook, no: OrderBook) {
  expect(no.bids.length).toBe(yes.asks.length);
  expect(no.asks.length).toBe(yes.bids.length);
  yes.asks.forEach((l, i) => {
    expect(no.bids[i]!.price.eq(ONE.sub(l.price))).toBe(true);
    expect(no.bids[i]!.size.eq(l.size)).toBe(true);
  });
  yes.bids.forEach((l, i) => {
    expect(no.asks[i]!.price.eq(ONE.sub(l.price))).toBe(true);
    expect(no.asks[i]!.size.eq(l.size)).toBe(true);
  });
}

function expectWellFormed(book: OrderBook, tick: Decimal) {
  for (const l of [...book.bids, ...book.asks]) {
    expect(isMultipleOf(l.price, tick), `${l.price} on ${tick} grid`).toBe(true);
    expect(l.price.gte(tick) && l.price.lte(ONE.sub(tick))).toBe(true);
    expect(l.size.gt(0)).toBe(true);
  }
  for (let i = 1; i < book.bids.length; i++) expect(book.bids[i]!.price.lt(book.bids[i - 1]!.price)).toBe(true);
  for (let i = 1; i < book.asks.length; i++) expect(book.asks[i]!.price.gt(book.asks[i - 1]!.price)).toBe(true);
  if (book.bids[0] && book.asks[0]) expect(book.bids[0].price.lt(book.asks[0].price)).toBe(true);
}

describe('demo catalog', () => {
  it('has enough plausible markets, several cross-listed, with venue-shaped identifiers', () => {
    expect(DEMO_CATALOG.length).toBeGreaterThanOrEqual(24);
    const both = DEMO_CATALOG.filter((m) => m.listings.length === 2);
    expect(both.length).toBeGreaterThanOrEqual(6);
    for (const m of both) expect(m.listings[0]!.initialMid.eq(m.listings[1]!.initialMid)).toBe(false);
    expect(new Set(DEMO_CATALOG.map((m) => m.category)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(DEMO_CATALOG.map((m) => m.id)).size).toBe(DEMO_CATALOG.length);
    for (const m of DEMO_CATALOG) {
      expect(m.id).toMatch(/^[a-z0-9-]+$/);
      for (const l of m.listings) {
        expect(l.id).toBe(`${m.id}:${l.venue}`);
        if (l.venue === 'polymarket') {
          expect(l.venueMarketId).toMatch(/^0x[0-9a-f]{64}$/);
          expect(l.yesTokenId).toMatch(/^\d{60,}$/);
          expect(l.noTokenId).toMatch(/^\d{60,}$/);
          expect(l.minSize.eq(5)).toBe(true);
        } else {
          expect(l.venueMarketId).toMatch(/^KX[A-Z0-9]+-[A-Z0-9.-]+$/);
          expect(l.minSize.eq(1)).toBe(true);
          expect(l.tickSize.eq('0.01')).toBe(true);
        }
      }
    }
    expect(allListings.some((l) => l.tickSize.eq('0.001'))).toBe(true);
    expect(allListings.some((l) => l.negRisk)).toBe(true);
    expect(demoConditionId('fed-cut-dec-2026')).toBe(demoConditionId('fed-cut-dec-2026'));
    expect(findCatalogListing(DEMO_CATALOG, 'kalshi', 'KXFEDCUT-26DEC')?.market.id).toBe('fed-cut-dec-2026');
  });
});

describe('SyntheticMarketFeed', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0, clock });
    const b = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0, clock });
    const c = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 8, tickMs: 0, clock });
    for (let i = 0; i < 25; i++) {
      a.step();
      b.step();
      c.step();
    }
    expect(snapshot(a)).toBe(snapshot(b));
    expect(snapshot(a)).not.toBe(snapshot(c));
  });

  it('keeps books on the tick grid, best first, with the NO book mirroring YES', () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 42, tickMs: 0, clock });
    for (let i = 0; i < 200; i++) {
      feed.step();
      if (i % 20 !== 0) continue;
      for (const l of allListings) {
        const yes = feed.getBook(l.venue, l.venueMarketId, 'yes')!;
        const no = feed.getBook(l.venue, l.venueMarketId, 'no')!;
        expectWellFormed(yes, l.tickSize);
        expectWellFormed(no, l.tickSize);
        expectMirror(yes, no);
        expect(yes.bids.length).toBeLessThanOrEqual(10);
        const mid = feed.getMid(l.venue, l.venueMarketId)!;
        expect(mid.gte(l.tickSize.mul(2)) && mid.lte(ONE.sub(l.tickSize.mul(2)))).toBe(true);
        if (l.venue === 'kalshi') for (const lv of yes.bids) expect(lv.size.isInteger()).toBe(true);
      }
    }
  });

  it('builds 5–10 levels away from the edges, with depth varying by listing', () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 1, tickMs: 0, clock });
    const l = findCatalogListing(DEMO_CATALOG, 'polymarket', demoConditionId('sp500-7500-2026'))!.listing;
    const book = feed.getBook('polymarket', l.venueMarketId, 'yes')!;
    expect(book.bids.length).toBeGreaterThanOrEqual(5);
    expect(book.asks.length).toBeGreaterThanOrEqual(5);
    const topSizes = allListings.map((x) => feed.getBook(x.venue, x.venueMarketId, 'yes')!.asks[0]!.size.toNumber());
    expect(Math.max(...topSizes) / Math.min(...topSizes)).toBeGreaterThan(10);
    // Cross-listed markets have different books on the two venues.
    for (const m of DEMO_CATALOG.filter((x) => x.listings.length === 2)) {
      const [p, k] = m.listings.map((x) => feed.getBook(x.venue, x.venueMarketId, 'yes')!);
      expect(`${p!.bids[0]!.price}/${p!.bids[0]!.size}`).not.toBe(`${k!.bids[0]!.price}/${k!.bids[0]!.size}`);
    }
  });

  it('clamps the mid to [2 ticks, 1 − 2 ticks] and keeps a valid book at the edges', () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 3, tickMs: 0, clock });
    const poly = findCatalogListing(DEMO_CATALOG, 'polymarket', demoConditionId('usdt-depeg-2026'))!.listing; // tick 0.001
    feed.setMid('polymarket', poly.venueMarketId, d('-0.5'));
    expect(feed.getMid('polymarket', poly.venueMarketId)!.toFixed()).toBe('0.002');
    let yes = feed.getBook('polymarket', poly.venueMarketId, 'yes')!;
    expectWellFormed(yes, poly.tickSize);
    expect(yes.bids[0]!.price.gte('0.001')).toBe(true);
    feed.setMid('kalshi', 'KXFEDCUT-26DEC', d('1.2'));
    expect(feed.getMid('kalshi', 'KXFEDCUT-26DEC')!.toFixed()).toBe('0.98');
    yes = feed.getBook('kalshi', 'KXFEDCUT-26DEC', 'yes')!;
    expectWellFormed(yes, d('0.01'));
    expect(yes.asks.length).toBeGreaterThan(0);
    expectMirror(yes, feed.getBook('kalshi', 'KXFEDCUT-26DEC', 'no')!);
  });

  it('notifies listeners on step, setMid and setBook; setBook forces the book and its mirror', () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 5, tickMs: 0, clock });
    const seen: BookUpdate[] = [];
    const off = feed.onUpdate((u) => seen.push(u));
    feed.step();
    expect(seen.length).toBe(allListings.length);
    feed.setMid('kalshi', 'KXGPT6-26DEC', d('0.5'));
    feed.setBook('kalshi', 'KXGPT6-26DEC', { bids: [{ price: d('0.40'), size: d('10') }, { price: d('0.45'), size: d('3') }], asks: [{ price: d('0.50'), size: d('7') }] });
    expect(seen.length).toBe(allListings.length + 2);
    const yes = feed.getBook('kalshi', 'KXGPT6-26DEC', 'yes')!;
    expect(yes.bids.map((l) => l.price.toFixed())).toEqual(['0.45', '0.4']);
    const no = feed.getBook('kalshi', 'KXGPT6-26DEC', 'no')!;
    expect(no.bids.map((l) => `${l.price.toFixed()}x${l.size}`)).toEqual(['0.5x7']);
    expect(no.asks.map((l) => `${l.price.toFixed()}x${l.size}`)).toEqual(['0.55x3', '0.6x10']);
    off();
    feed.step();
    expect(seen.length).toBe(allListings.length + 2);
    expect(feed.getBook('kalshi', 'NOPE', 'yes')).toBeNull();
  });

  it('runs on a timer when started and stops', async () => {
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG.slice(0, 2), seed: 5, tickMs: 5 });
    let n = 0;
    feed.onUpdate(() => n++);
    await feed.start();
    await new Promise((r) => setTimeout(r, 40));
    await feed.stop();
    const after = n;
    expect(after).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(n).toBe(after);
  });

  it('mulberry32 is a pure function of its seed', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    for (let i = 0; i < 100; i++) {
      const x = a.next();
      expect(x).toBe(b.next());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
