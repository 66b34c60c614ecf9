/**
 * LiveMarketFeed against the fake venues (real HTTP): polling both venues, a venue going down
 * (stale, logged once, backoff, recovery, no crash), a refused listing, the Polymarket market stream
 * (a local WebSocket server speaking the market channel) and its fallback to polling, and the
 * MARKET_DATA=auto probe.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { Decimal } from '../../core/money.ts';
import type { BookUpdate } from '../../core/markets/types.ts';
import { LiveMarketFeed, type LiveListing } from '../../core/markets/live-feed.ts';
import { chooseMarketData, createPublicApis, kalshiBookSource, polymarketBookSource } from '../../core/markets/market-data-source.ts';
import { PolymarketMarketStream } from '../../core/markets/polymarket-stream.ts';
import { FakeClob } from '../fakes/polymarket/index.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';

const CID = '0x' + '1a'.repeat(32);
const YES = '1111111111111111111111111111111111111111';
const NO = '2222222222222222222222222222222222222222';
const TICKER = 'KXFEED-26DEC-T1';
const POLY: LiveListing = { venue: 'polymarket', venueMarketId: CID, yesTokenId: YES, noTokenId: NO };
const KALSHI: LiveListing = { venue: 'kalshi', venueMarketId: TICKER };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prices = (levels: { price: Decimal }[] | undefined) => (levels ?? []).map((l) => l.price.toFixed());

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Captures log lines: [level, message, object]. */
function capture() {
  const lines: { level: 'info' | 'warn'; msg: string; obj: unknown }[] = [];
  return {
    lines,
    log: { info: (obj: unknown, msg?: string) => lines.push({ level: 'info', msg: msg ?? '', obj }), warn: (obj: unknown, msg?: string) => lines.push({ level: 'warn', msg: msg ?? '', obj }) },
    count: (re: RegExp) => lines.filter((l) => re.test(l.msg)).length,
  };
}

async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const clob = new FakeClob();
let kalshi: FakeKalshi;
let feed: LiveMarketFeed | null = null;

beforeAll(async () => {
  await clob.start();
  clob.engine.addMarket({ conditionId: CID, question: 'Feed test?', tokens: [{ tokenId: YES, outcome: 'Yes' }, { tokenId: NO, outcome: 'No' }] });
  clob.engine.seedBook({ tokenId: YES, bids: [{ price: '0.40', size: '100' }, { price: '0.41', size: '50' }], asks: [{ price: '0.44', size: '70' }] });
  clob.engine.seedBook({ tokenId: NO, bids: [{ price: '0.55', size: '70' }], asks: [{ price: '0.59', size: '50' }] });
  kalshi = await FakeKalshi.start();
  kalshi.engine.addMarket({ ticker: TICKER, title: 'Feed test on Kalshi' });
  kalshi.engine.seedBook(TICKER, { yesBids: [['0.30', '10'], ['0.31', '5']], noBids: [['0.65', '8']] });
});
afterAll(async () => {
  await Promise.all([clob.stop(), kalshi.stop()]);
});
afterEach(async () => {
  await feed?.stop();
  feed = null;
  clob.clearFaults();
  kalshi.clearFaults();
});

/** Requests the feed made per host path prefix (counted at the client: the fakes do not record faulted ones). */
const sent = { kalshi: 0, polymarket: 0 };
const countingFetch: typeof fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  if (url.includes('/trade-api/v2')) sent.kalshi += 1;
  else sent.polymarket += 1;
  return fetch(input, init);
};

function makeFeed(opts: { listings?: LiveListing[]; staleMs?: number; log?: ReturnType<typeof capture>['log']; kalshiUrl?: string; stream?: PolymarketMarketStream } = {}) {
  const apis = createPublicApis({ endpoints: { polymarketClobUrl: clob.url, kalshiApiUrl: opts.kalshiUrl ?? kalshi.url }, timeoutMs: 5000, fetch: countingFetch });
  feed = new LiveMarketFeed({
    sources: [polymarketBookSource(apis.polymarket), kalshiBookSource(apis.kalshi)],
    streams: opts.stream ? [opts.stream] : [],
    listings: () => opts.listings ?? [POLY, KALSHI],
    pollMs: 40,
    staleMs: opts.staleMs ?? 0,
    backoffMs: 30,
    maxBackoffMs: 120,
    log: opts.log,
  });
  return feed;
}

describe('LiveMarketFeed: polling the public endpoints', () => {
  it('fetches both venues\' books (best first, Kalshi asks from the other side) and notifies per listing', async () => {
    const f = makeFeed();
    const updates: BookUpdate[] = [];
    f.onUpdate((u) => updates.push(u));
    expect(f.getBook('polymarket', CID, 'yes')).toBeNull();
    await f.poll();
    expect(prices(f.getBook('polymarket', CID, 'yes')?.bids)).toEqual(['0.41', '0.4']);
    expect(prices(f.getBook('polymarket', CID, 'yes')?.asks)).toEqual(['0.44']);
    expect(prices(f.getBook('polymarket', CID, 'no')?.bids)).toEqual(['0.55']);
    // Kalshi: YES bids as bid; YES asks = 1 − NO bids.
    expect(prices(f.getBook('kalshi', TICKER, 'yes')?.bids)).toEqual(['0.31', '0.3']);
    expect(prices(f.getBook('kalshi', TICKER, 'yes')?.asks)).toEqual(['0.35']);
    expect(prices(f.getBook('kalshi', TICKER, 'no')?.asks)).toEqual(['0.69', '0.7']);
    expect(updates.map((u) => `${u.venue}|${u.venueMarketId}`).sort()).toEqual([`kalshi|${TICKER}`, `polymarket|${CID}`]);

    // A change at the venue shows up on the next round.
    clob.engine.seedBook({ tokenId: YES, bids: [{ price: '0.45', size: '10' }], asks: [{ price: '0.47', size: '10' }] });
    await f.poll();
    expect(prices(f.getBook('polymarket', CID, 'yes')?.bids)).toEqual(['0.45']);
    clob.engine.seedBook({ tokenId: YES, bids: [{ price: '0.40', size: '100' }, { price: '0.41', size: '50' }], asks: [{ price: '0.44', size: '70' }] });
  });

  it('polls on its own timer at pollMs, never overlapping rounds', async () => {
    const f = makeFeed();
    const before = clob.count('GET', '/book');
    await f.start();
    await until(() => f.roundCount >= 4);
    await f.stop();
    const books = clob.count('GET', '/book') - before;
    expect(books).toBeGreaterThanOrEqual(8); // YES + NO per round
    expect(books).toBe(f.roundCount * 2);
  });

  it('a venue that goes down: its listings go stale (no book), one warning, backoff, recovery logged once; the other venue keeps going', async () => {
    const cap = capture();
    const f = makeFeed({ staleMs: 400, log: cap.log });
    await f.poll();
    expect(f.getBook('kalshi', TICKER, 'yes')).not.toBeNull();
    kalshi.fault({ path: /^\/markets\//, kind: '503', times: 1_000 });
    await f.start();
    await until(() => f.venueStatus('kalshi').down, 5000);
    await until(() => f.getBook('kalshi', TICKER, 'yes') === null);
    expect(f.status().find((s) => s.venue === 'kalshi')?.stale).toBe(true);
    await until(() => f.getBook('polymarket', CID, 'yes') !== null); // Polymarket unaffected
    const attemptsBefore = sent.kalshi;
    const roundsBefore = f.roundCount;
    const t0 = performance.now();
    await until(() => f.roundCount >= roundsBefore + 20, 30_000);
    // Backoff: retries 30, 60, 120, 120… ms apart (the venue failed twice already): at most one attempt
    // per 120 ms of the window, however slowly this machine runs the rounds (a round every ~40 ms when
    // quiet, so without backoff there would be about three times as many).
    const elapsed = performance.now() - t0;
    const attempts = sent.kalshi - attemptsBefore;
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThanOrEqual(Math.floor(elapsed / 120) + 2);
    expect(cap.count(/venue unreachable/)).toBe(1);
    expect(cap.count(/reachable again/)).toBe(0);

    kalshi.clearFaults();
    await until(() => f.getBook('kalshi', TICKER, 'yes') !== null, 5000);
    expect(f.venueStatus('kalshi').down).toBe(false);
    await sleep(100);
    expect(cap.count(/reachable again/)).toBe(1);
    expect(cap.count(/venue unreachable/)).toBe(1);
  });

  it('an unreachable host (connection refused) never throws out of the feed and backs off', async () => {
    const cap = capture();
    const nowhere = await closedPortUrl();
    const f = makeFeed({ kalshiUrl: `${nowhere}/trade-api/v2`, staleMs: 100, log: cap.log });
    await f.start();
    await until(() => f.getBook('polymarket', CID, 'yes') !== null && f.roundCount >= 5, 10_000);
    expect(f.getBook('kalshi', TICKER, 'yes')).toBeNull();
    expect(f.venueStatus('kalshi')).toMatchObject({ down: true });
    expect(cap.count(/venue unreachable/)).toBe(1);
  });

  it('a listing the venue refuses (no orderbook) is logged once and retried with backoff; the rest is served', async () => {
    const cap = capture();
    const ghost: LiveListing = { venue: 'polymarket', venueMarketId: '0x' + '9f'.repeat(32), yesTokenId: '999', noTokenId: '998' };
    const f = makeFeed({ listings: [POLY, ghost, KALSHI], log: cap.log });
    await f.start();
    await until(() => f.roundCount >= 8);
    expect(f.getBook('polymarket', CID, 'yes')).not.toBeNull();
    expect(f.getBook('polymarket', ghost.venueMarketId, 'yes')).toBeNull();
    expect(f.status().find((s) => s.venueMarketId === ghost.venueMarketId)?.refused).toMatch(/No orderbook exists/);
    expect(f.venueStatus('polymarket').down).toBe(false);
    expect(cap.count(/refuses this listing/)).toBe(1);
  });

  it('drops listings that leave the catalog and picks up new ones at the next round', async () => {
    let listings: LiveListing[] = [POLY];
    const apis = createPublicApis({ endpoints: { polymarketClobUrl: clob.url, kalshiApiUrl: kalshi.url }, timeoutMs: 5000 });
    feed = new LiveMarketFeed({ sources: [polymarketBookSource(apis.polymarket), kalshiBookSource(apis.kalshi)], listings: () => listings, pollMs: 40, staleMs: 0 });
    await feed.poll();
    expect(feed.getBook('kalshi', TICKER, 'yes')).toBeNull();
    listings = [KALSHI];
    await feed.poll();
    expect(feed.getBook('kalshi', TICKER, 'yes')).not.toBeNull();
    expect(feed.getBook('polymarket', CID, 'yes')).toBeNull();
  });
});

/** A local market channel: answers PING with PONG, sends a book per subscribed token, then what the test pushes. */
class FakeMarketChannel {
  readonly wss: WebSocketServer;
  readonly sockets = new Set<WsSocket>();
  subscriptions: string[][] = [];
  mute = false;
  constructor() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/market' });
    this.wss.on('connection', (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => {
        const text = data.toString();
        if (this.mute) return;
        if (text === 'PING') return void ws.send('PONG');
        const sub = JSON.parse(text) as { assets_ids: string[]; type: string };
        this.subscriptions.push(sub.assets_ids);
        ws.send(
          JSON.stringify(
            sub.assets_ids.map((id) => ({
              event_type: 'book',
              asset_id: id,
              market: CID,
              bids: [{ price: '.20', size: '10' }, { price: '.21', size: '5' }],
              asks: [{ price: '.25', size: '8' }],
              timestamp: String(Date.now()),
              hash: '0x0',
            })),
          ),
        );
      });
    });
  }
  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }
  push(ev: unknown): void {
    for (const s of this.sockets) s.send(JSON.stringify(ev));
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

describe('LiveMarketFeed: the Polymarket market stream', () => {
  let channel: FakeMarketChannel;
  beforeAll(async () => {
    channel = new FakeMarketChannel();
    await new Promise<void>((r) => (channel.wss.address() ? r() : channel.wss.once('listening', () => r())));
  });
  afterAll(() => channel.close());

  it('serves books from the stream (no polling of covered listings), applies price_change, and falls back to polling when the stream goes quiet or drops', async () => {
    const cap = capture();
    const stream = new PolymarketMarketStream({ url: `${channel.url}/market`, quietMs: 1_500, pingMs: 50, backoffMs: 5_000, log: cap.log });
    const f = makeFeed({ listings: [POLY], stream, log: cap.log });
    await f.start();
    await until(() => f.status()[0]?.via === 'stream');
    expect(channel.subscriptions.at(-1)?.sort()).toEqual([NO, YES].sort());
    expect(prices(f.getBook('polymarket', CID, 'yes')?.bids)).toEqual(['0.21', '0.2']);
    // Covered: rounds go on without /book requests (after a whole round: no poll still in flight).
    const settled = f.roundCount;
    await until(() => f.roundCount >= settled + 2);
    const booksBefore = clob.count('GET', '/book');
    const roundsBefore = f.roundCount;
    await until(() => f.roundCount >= roundsBefore + 4);
    expect(clob.count('GET', '/book')).toBe(booksBefore);
    // A quiet market on a live stream stays fresh: the feed re-publishes it each round.
    const updates: BookUpdate[] = [];
    f.onUpdate((u) => updates.push(u));
    await until(() => updates.length >= 2);

    // price_change (Sep 2025 format): a new best bid, a level removed.
    channel.push({ event_type: 'price_change', market: CID, timestamp: String(Date.now()), price_changes: [
      { asset_id: YES, price: '0.22', size: '7', side: 'BUY', hash: 'x', best_bid: '0.22', best_ask: '0.25' },
      { asset_id: YES, price: '0.20', size: '0', side: 'BUY', hash: 'y', best_bid: '0.22', best_ask: '0.25' },
    ] });
    await until(() => prices(f.getBook('polymarket', CID, 'yes')?.bids).join() === '0.22,0.21');

    // The channel stops answering (not even PONG): after quietMs polling takes over.
    channel.mute = true;
    await until(() => f.status()[0]?.via === 'poll', 5000);
    expect(clob.count('GET', '/book')).toBeGreaterThan(booksBefore);
    expect(prices(f.getBook('polymarket', CID, 'yes')?.bids)).toEqual(['0.41', '0.4']); // the venue's REST book
    await until(() => cap.count(/stream went quiet/) >= 1, 5000);
    await sleep(200);
    expect(cap.count(/stream went quiet/)).toBe(1);
  });

  it('a stream that cannot connect leaves the listings on polling', async () => {
    const cap = capture();
    const nowhere = (await closedPortUrl()).replace('http', 'ws');
    const stream = new PolymarketMarketStream({ url: `${nowhere}/ws/market`, quietMs: 300, pingMs: 50, backoffMs: 50, maxBackoffMs: 100, log: cap.log });
    const f = makeFeed({ listings: [POLY], stream, log: cap.log });
    await f.start();
    await until(() => f.getBook('polymarket', CID, 'yes') !== null);
    await sleep(300);
    expect(f.status()[0]?.via).toBe('poll');
    expect(cap.count(/stream unavailable/)).toBe(1); // once, though it keeps retrying
  });
});

describe('MARKET_DATA=auto', () => {
  it('picks live when the venues answer, synthetic when the URLs point nowhere; synthetic mode makes no call', async () => {
    const before = clob.requests.length;
    const live = await chooseMarketData({ mode: 'auto', endpoints: { polymarketClobUrl: clob.url, kalshiApiUrl: kalshi.url }, probeTimeoutMs: 1000 });
    expect(live.kind).toBe('live');
    expect(live.probes.every((p) => p.reachable)).toBe(true);
    expect(clob.requests.length).toBeGreaterThan(before);

    const nowhere = await closedPortUrl();
    const t0 = Date.now();
    const off = await chooseMarketData({ mode: 'auto', endpoints: { polymarketClobUrl: nowhere, kalshiApiUrl: `${nowhere}/trade-api/v2` }, probeTimeoutMs: 30_000 });
    expect(off.kind).toBe('synthetic');
    expect(off.reason).toMatch(/polymarket unreachable.*kalshi unreachable.*synthetic/);
    expect(Date.now() - t0).toBeLessThan(15_000); // refused at once, never waits for the probe timeout (even on a loaded machine)

    // A venue that hangs: the probe gives up after its timeout.
    clob.fault({ path: '/time', kind: 'delay', ms: 2000 });
    kalshi.fault({ path: '/markets', kind: 'delay', delayMs: 2000 });
    const slow = await chooseMarketData({ mode: 'auto', endpoints: { polymarketClobUrl: clob.url, kalshiApiUrl: kalshi.url }, probeTimeoutMs: 200 });
    expect(slow.kind).toBe('synthetic');

    const count = clob.requests.length;
    const synthetic = await chooseMarketData({ mode: 'synthetic', endpoints: { polymarketClobUrl: clob.url, kalshiApiUrl: kalshi.url } });
    expect(synthetic.kind).toBe('synthetic');
    expect(clob.requests.length).toBe(count);
  });
});
