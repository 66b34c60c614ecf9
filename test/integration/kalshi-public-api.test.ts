import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { KalshiPublicApi, isOnGrid, roundToGrid, tickAt } from '../../core/exchanges/kalshi/public-api.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';

let fake: FakeKalshi;
let api: KalshiPublicApi;
const T = 'KXFED-26DEC-H0';

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VenueError);
  return err as VenueError;
}

beforeAll(async () => {
  fake = await FakeKalshi.start();
  api = new KalshiPublicApi({ baseUrl: fake.url, timeoutMs: 500 });
  fake.engine.addMarket({ ticker: T, title: 'Fed holds in December', closeTime: new Date('2026-12-10T18:55:00Z') });
  fake.engine.seedBook(T, { yesBids: [['0.41', '20'], ['0.42', '13']], noBids: [['0.55', '7'], ['0.56', '5']] });
  fake.engine.addMarket({ ticker: 'KXOLD-26-Y', legacyCents: true });
  fake.engine.seedBook('KXOLD-26-Y', { yesBids: [['0.30', '4']], noBids: [['0.60', '9']] });
  fake.engine.addMarket({ ticker: 'KXTAPER-26-Y', priceLevelStructure: 'tapered_deci_cent', fractional: true });
  fake.engine.addMarket({ ticker: 'KXDONE-26-Y', status: 'closed' });
});

afterAll(async () => {
  await fake.stop();
});

describe('KalshiPublicApi against the fake', () => {
  it('reads a market with dollar-string prices, grid and close time', async () => {
    const m = await api.getMarket({ ticker: T });
    expect(m.ticker).toBe(T);
    expect(m.tradable).toBe(true);
    expect(m.yesBid?.toFixed()).toBe('0.42');
    expect(m.yesAsk?.toFixed()).toBe('0.44'); // 1 − best NO bid 0.56
    expect(m.noBid?.toFixed()).toBe('0.56');
    expect(m.tickSize.toFixed()).toBe('0.01');
    expect(m.quantityStep.toFixed()).toBe('1');
    expect(m.closeTime?.toISOString()).toBe('2026-12-10T18:55:00.000Z');
  });

  it('reads a legacy integer-cents market the same way', async () => {
    const m = await api.getMarket({ ticker: 'KXOLD-26-Y' });
    expect(m.yesBid?.toFixed()).toBe('0.3');
    expect(m.yesAsk?.toFixed()).toBe('0.4');
    const books = await api.getOrderBooks({ ticker: 'KXOLD-26-Y' });
    expect(books.yes.bids.map((l) => [l.price.toFixed(), l.size.toFixed()])).toEqual([['0.3', '4']]);
    expect(books.yes.asks.map((l) => [l.price.toFixed(), l.size.toFixed()])).toEqual([['0.4', '9']]);
  });

  it('turns the bids-only book into YES and NO books, best level first', async () => {
    const { yes, no } = await api.getOrderBooks({ ticker: T });
    const show = (ls: { price: Decimal; size: Decimal }[]) => ls.map((l) => `${l.price.toFixed(2)}x${l.size.toFixed()}`);
    expect(show(yes.bids)).toEqual(['0.42x13', '0.41x20']);
    expect(show(yes.asks)).toEqual(['0.44x5', '0.45x7']); // 1 − NO bids, best (lowest) first
    expect(show(no.bids)).toEqual(['0.56x5', '0.55x7']);
    expect(show(no.asks)).toEqual(['0.58x13', '0.59x20']); // 1 − YES bids
    expect(yes.venue).toBe('kalshi');
    expect(no.outcome).toBe('no');
  });

  it('follows the cursor through every page of the listing, open markets only', async () => {
    for (let i = 0; i < 5; i++) fake.engine.addMarket({ ticker: `KXPAGE-26-${i}` });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of api.iterateMarkets({ status: 'open', limit: 2 })) {
      pages += 1;
      seen.push(...page.map((m) => m.ticker));
    }
    expect(pages).toBeGreaterThan(3);
    expect(seen).toContain('KXPAGE-26-4');
    expect(seen).not.toContain('KXDONE-26-Y');
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('reads the tapered grid and fractional trading', async () => {
    const m = await api.getMarket({ ticker: 'KXTAPER-26-Y' });
    expect(m.tickSize.toFixed()).toBe('0.001');
    expect(m.quantityStep.toFixed()).toBe('0.01');
    expect(tickAt(new Decimal('0.5'), m.priceRanges).toFixed()).toBe('0.01');
    expect(tickAt(new Decimal('0.05'), m.priceRanges).toFixed()).toBe('0.001');
    expect(isOnGrid(new Decimal('0.055'), m.priceRanges)).toBe(true);
    expect(isOnGrid(new Decimal('0.555'), m.priceRanges)).toBe(false);
    expect(roundToGrid(new Decimal('0.555'), m.priceRanges, 'down').toFixed()).toBe('0.55');
    expect(roundToGrid(new Decimal('0.555'), m.priceRanges, 'up').toFixed()).toBe('0.56');
    expect(isOnGrid(new Decimal('1'), m.priceRanges)).toBe(false);
  });

  it('maps an unknown ticker to a rejected MARKET_NOT_FOUND with a readable message', async () => {
    const err = await venueError(api.getMarket({ ticker: 'NOPE' }));
    expect(err.kind).toBe('rejected');
    expect(err.code).toBe('MARKET_NOT_FOUND');
    expect(err.message).toMatch(/no such market/i);
  });

  it('accepts error bodies wrapped in { error }', async () => {
    fake.wrapErrors = true;
    try {
      const err = await venueError(api.getMarket({ ticker: 'NOPE' }));
      expect(err.code).toBe('MARKET_NOT_FOUND');
    } finally {
      fake.wrapErrors = false;
    }
  });

  it('429 and 5xx on reads are retryable; the next call works', async () => {
    fake.fault({ path: `/markets/${T}`, kind: '429' });
    expect((await venueError(api.getMarket({ ticker: T }))).kind).toBe('retryable');
    fake.fault({ path: `/markets/${T}/orderbook`, kind: '503' });
    const err = await venueError(api.getOrderBooks({ ticker: T }));
    expect(err.kind).toBe('retryable');
    expect(err.code).toBe('VENUE_UNAVAILABLE');
    expect((await api.getMarket({ ticker: T })).ticker).toBe(T);
  });

  it('a slow answer is a retryable timeout; a dropped connection is retryable for reads', async () => {
    fake.fault({ path: `/markets/${T}`, kind: 'delay', delayMs: 800 });
    const slow = await venueError(api.getMarket({ ticker: T }));
    expect(slow.kind).toBe('retryable');
    expect(slow.code).toBe('TIMEOUT');
    fake.fault({ path: `/markets/${T}`, kind: 'drop' });
    const dropped = await venueError(api.getMarket({ ticker: T }));
    expect(dropped.kind).toBe('retryable');
    expect(dropped.code).toBe('CONNECTION_DROPPED');
  });

  it('an unreachable host is a retryable NETWORK error', async () => {
    const gone = await FakeKalshi.start();
    const url = gone.url;
    await gone.stop();
    const dead = new KalshiPublicApi({ baseUrl: url, timeoutMs: 500 });
    const err = await venueError(dead.getMarket({ ticker: T }));
    expect(err.kind).toBe('retryable');
    expect(err.code).toBe('NETWORK');
  });

  it('an unreadable answer is a BAD_RESPONSE, not a crash', async () => {
    const garbage: typeof fetch = async () => new Response(JSON.stringify({ orderbook_fp: { yes_dollars: [['x', 'y']] } }), { status: 200 });
    const odd = new KalshiPublicApi({ baseUrl: fake.url, timeoutMs: 500, fetch: garbage });
    const err = await venueError(odd.getOrderBooks({ ticker: T }));
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.kind).toBe('retryable');
  });
});
