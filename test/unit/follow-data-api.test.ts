/**
 * The Polymarket data API client (core/exchanges/polymarket/data-api.ts) against the fake over real
 * HTTP: the sample payload parses (JSON numbers → exact Decimals), the trade key, the cursor (first
 * poll starts now; later polls answer only what is new, even when pages are shuffled, repeat rows or
 * the API indexes a trade late), paging, and every failure mapped to a VenueError kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataApiTradeSchema, PolymarketDataApi, toSourceTrade, tradeKey } from '../../core/exchanges/polymarket/data-api.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { capBuy, followDirection, scaledShares, worstBuyPrice } from '../../core/following/sizing.ts';
import { Decimal } from '../../core/money.ts';
import { startFakeDataApi, type FakeDataApi } from '../fakes/polymarket/data-api.ts';

const W = '0x56687bf447db6ffa42ffe2204a05edaa20f55839';
const d = (s: string) => new Decimal(s);

const SAMPLE = {
  proxyWallet: W,
  side: 'BUY',
  asset: '21742633143463906290569050155826241533067272736897614950488156847949938836455',
  conditionId: '0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917',
  size: 120.1,
  price: 0.07,
  timestamp: 1764400000,
  title: 'Will the Fed cut rates in December?',
  slug: 'fed-cut-dec',
  icon: 'https://example.invalid/x.png',
  eventSlug: 'fed-december',
  outcome: 'Yes',
  outcomeIndex: 0,
  name: 'whale',
  pseudonym: 'Wise-Owl',
  bio: '',
  profileImage: '',
  profileImageOptimized: '',
  transactionHash: '0x9C7D0000000000000000000000000000000000000000000000000000000000E1',
};

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VenueError) return err;
    throw err;
  }
  throw new Error('expected a VenueError');
}

describe('data API trade rows', () => {
  it('parses the sample row: numbers become exact decimals, the key is hash + asset + side + size + price', () => {
    const row = dataApiTradeSchema.parse(SAMPLE);
    expect(row.size.toFixed()).toBe('120.1');
    expect(row.price.toFixed()).toBe('0.07');
    const t = toSourceTrade(row);
    expect(t).toMatchObject({ side: 'BUY', outcome: 'Yes', outcomeIndex: 0, title: 'Will the Fed cut rates in December?' });
    expect(t.tradedAt.toISOString()).toBe('2025-11-29T07:06:40.000Z');
    expect(t.key).toBe(`0x9c7d0000000000000000000000000000000000000000000000000000000000e1:${SAMPLE.asset}:BUY:120.1:0.07`);
    expect(tradeKey({ ...row, size: d('120.10') })).toBe(t.key);
    expect(dataApiTradeSchema.safeParse({ ...SAMPLE, side: 'HOLD' }).success).toBe(false);
    expect(dataApiTradeSchema.safeParse({ ...SAMPLE, size: 'lots' }).success).toBe(false);
    expect(dataApiTradeSchema.safeParse({ ...SAMPLE, size: '5.5' }).success).toBe(true);
  });
});

describe('PolymarketDataApi over HTTP', () => {
  let api: FakeDataApi;
  beforeAll(async () => {
    api = await startFakeDataApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('first poll reads back a lookback from now; later polls answer only new trades, through shuffled and repeated pages and a late-indexed trade', async () => {
    const w = '0x0000000000000000000000000000000000000a01';
    const now = Math.floor(Date.now() / 1000);
    api.addTrade(w, { side: 'BUY', asset: '1', size: 1, price: 0.5, timestamp: now - 3600 });
    api.addTrade(w, { side: 'BUY', asset: '1', size: 2, price: 0.5, timestamp: now - 10 });
    const client = new PolymarketDataApi({ baseUrl: api.url, timeoutMs: 2_000, pageSize: 3, maxPages: 10 });
    const first = await client.fetchNew({ address: w, cursor: null });
    expect(first.trades.map((t) => t.size.toFixed())).toEqual(['2']); // the hour-old one is history
    expect(api.requests.at(-1)).toMatchObject({ user: w, limit: 3, offset: 0, takerOnly: 'false' });
    // Nothing new: nothing answered, and the cursor does not change (the poller then writes nothing).
    const again = await client.fetchNew({ address: w, cursor: first.cursor });
    expect(again.trades).toEqual([]);
    expect(again.cursor).toEqual(first.cursor);

    api.faults.shuffle = true;
    api.faults.duplicate = true;
    for (let i = 0; i < 7; i++) api.addTrade(w, { side: 'SELL', asset: '2', size: 10 + i, price: 0.4, timestamp: now + i });
    const before = api.requests.length;
    const next = await client.fetchNew({ address: w, cursor: again.cursor });
    expect(api.requests.length - before).toBeGreaterThanOrEqual(3); // 8 trades, pages of 3 (+ a repeated row each)
    expect(next.trades.map((t) => t.size.toFixed())).toEqual(['10', '11', '12', '13', '14', '15', '16']);
    // A trade the API indexes late, with an earlier time (within the lookback): still found, once.
    api.addTrade(w, { side: 'BUY', asset: '3', size: 99, price: 0.3, timestamp: now - 5 });
    const late = await client.fetchNew({ address: w, cursor: next.cursor });
    expect(late.trades.map((t) => t.size.toFixed())).toEqual(['99']);
    expect((await client.fetchNew({ address: w, cursor: late.cursor })).trades).toEqual([]);
    api.faults.shuffle = false;
    api.faults.duplicate = false;
  });

  it('maps failures: 5xx and 429 retryable, 4xx rejected, bad rows BAD_RESPONSE, timeouts and refused connections retryable', async () => {
    const client = new PolymarketDataApi({ baseUrl: api.url, timeoutMs: 300 });
    api.faults.failNext = 1;
    api.faults.failStatus = 503;
    expect(await venueError(client.getTrades({ user: W }))).toMatchObject({ kind: 'retryable', code: 'HTTP_503', venue: 'polymarket' });
    api.faults.failNext = 1;
    api.faults.failStatus = 429;
    expect(await venueError(client.getTrades({ user: W }))).toMatchObject({ kind: 'retryable', code: 'HTTP_429' });
    expect(await venueError(client.getTrades({ user: 'not-a-wallet' }))).toMatchObject({ kind: 'rejected', code: 'HTTP_400' });
    api.faults.malformedNext = 1;
    const bad = await venueError(client.getTrades({ user: W }));
    expect(bad).toMatchObject({ kind: 'rejected', code: 'BAD_RESPONSE' });
    expect(bad.message).toMatch(/data API trade row not understood/);
    api.faults.delayMs = 1_000;
    expect(await venueError(client.getTrades({ user: W }))).toMatchObject({ kind: 'retryable', code: 'NETWORK' });
    api.faults.delayMs = 0;
    const down = new PolymarketDataApi({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    expect(await venueError(down.getTrades({ user: W }))).toMatchObject({ kind: 'retryable' });
  });
});

describe('follow sizing', () => {
  it('counter takes the opposite outcome, copy the same; sells exit', () => {
    expect(followDirection('counter', 'BUY', 'yes')).toEqual({ side: 'no', action: 'buy' });
    expect(followDirection('counter', 'SELL', 'no')).toEqual({ side: 'yes', action: 'sell' });
    expect(followDirection('copy', 'BUY', 'yes')).toEqual({ side: 'yes', action: 'buy' });
    expect(followDirection('copy', 'SELL', 'no')).toEqual({ side: 'no', action: 'sell' });
  });

  it('scales, rounds down to the share step, and caps the cost', () => {
    expect(scaledShares(d('120.5'), d('0.33'), d('0.01')).toFixed()).toBe('39.76');
    expect(scaledShares(d('120.5'), d('0.33'), d('1')).toFixed()).toBe('39');
    expect(capBuy({ shares: d('100'), priceEstimate: d('0.5'), capUsd: d('20'), step: d('0.01') })).toEqual({ shares: d('40'), capped: true });
    expect(capBuy({ shares: d('10'), priceEstimate: d('0.5'), capUsd: d('20'), step: d('0.01') })).toEqual({ shares: d('10'), capped: false });
    expect(capBuy({ shares: d('100'), priceEstimate: d('0.3'), capUsd: d('10'), step: d('1') }).shares.toFixed()).toBe('33');
    expect(capBuy({ shares: d('100'), priceEstimate: d('0.5'), capUsd: null, step: d('1') }).capped).toBe(false);
    expect(worstBuyPrice(d('0.5'), d('0.05')).toFixed()).toBe('0.525');
    expect(worstBuyPrice(d('0.99'), d('0.05')).toFixed()).toBe('0.999999');
  });
});
