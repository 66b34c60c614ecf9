/**
 * POST /admin/markets and GET /admin/markets/suggestions on the whole process (startYesno, real HTTP,
 * real Postgres, real pg-boss) with live market data from the fake venues: registration from the
 * synced catalog and from the venue, every bad input (4xx, specific message, nothing written), the
 * venue down (503, not 500), suggestions ranking; and paper-on-live: a paper order on a registered
 * market fills against the fake venue's real book.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { FakeClob } from '../fakes/polymarket/index.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const ADMIN = 'admin-token-for-markets-test';
const hex = (c: string) => `0x${c.repeat(64)}`;
const FED_CID = hex('a');
const FED_YES = '10000000000000000000000000000000000001';
const FED_NO = '10000000000000000000000000000000000002';
const LATE_CID = hex('b'); // added after the catalog sync: looked up on the venue
const LATE_YES = '20000000000000000000000000000000000001';
const LATE_NO = '20000000000000000000000000000000000002';

const clob = new FakeClob();
let kalshi: FakeKalshi;
let stack: TestStack;

async function call(method: string, path: string, body?: unknown, token = ADMIN): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${stack.address}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const counts = async () => ({
  markets: await stack.db.prisma.market.count(),
  listings: await stack.db.prisma.marketListing.count(),
  audits: await stack.db.prisma.auditLog.count({ where: { action: 'market.register' } }),
});

async function waitFor<T>(get: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await clob.start();
  clob.engine.addMarket({
    conditionId: FED_CID,
    question: 'Will the Fed cut rates at the December 2026 FOMC meeting?',
    tokens: [{ tokenId: FED_YES, outcome: 'Yes' }, { tokenId: FED_NO, outcome: 'No' }],
    tickSize: new Decimal('0.001'),
    minOrderSize: new Decimal(10),
    negRisk: true,
    endDate: '2026-12-09T19:00:00Z',
  });
  clob.engine.seedBook({ tokenId: FED_YES, bids: [{ price: '0.600', size: '500' }], asks: [{ price: '0.620', size: '500' }] });
  clob.engine.seedBook({ tokenId: FED_NO, bids: [{ price: '0.380', size: '500' }], asks: [{ price: '0.400', size: '500' }] });
  clob.engine.addMarket({ conditionId: hex('c'), question: 'Will Bitcoin reach $150,000 by December 31, 2026?', tokens: [{ tokenId: '31', outcome: 'Yes' }, { tokenId: '32', outcome: 'No' }], endDate: '2026-12-31T00:00:00Z' });
  clob.engine.addMarket({ conditionId: hex('d'), question: 'Will Taylor Swift release a new album in 2026?', tokens: [{ tokenId: '41', outcome: 'Yes' }, { tokenId: '42', outcome: 'No' }], endDate: '2026-12-31T00:00:00Z' });
  kalshi = await FakeKalshi.start();
  kalshi.engine.addMarket({ ticker: 'KXFEDCUT-26DEC', title: 'Fed rate cut at the December 2026 meeting?', closeTime: new Date('2026-12-09T19:00:00Z') });
  kalshi.engine.addMarket({ ticker: 'KXBTCMAX-26DEC-150000', title: 'Bitcoin above $150k by Dec 31, 2026?', closeTime: new Date('2026-12-31T05:00:00Z') });
  kalshi.engine.addMarket({ ticker: 'KXHOTYEAR-26', title: 'Will 2026 be the hottest year on record?', closeTime: new Date('2027-01-15T00:00:00Z') });
  kalshi.engine.seedBook('KXFEDCUT-26DEC', { yesBids: [['0.58', '300']], noBids: [['0.39', '300']] });
  stack = await startTestStack({
    ADMIN_TOKEN: ADMIN,
    MARKET_DATA: 'live',
    POLYMARKET_CLOB_URL: clob.url,
    KALSHI_API_URL: kalshi.url,
    POLYMARKET_WS_URL: 'ws://127.0.0.1:1/ws',
    MARKET_POLL_SECONDS: '0.2',
    VENUE_TIMEOUT_MS: '1000',
    MARKET_STALE_SECONDS: '1',
  });
  // The catalog sync job runs at start: wait for both venues' markets.
  await waitFor(() => stack.db.prisma.venueMarket.count(), (n) => n >= 6);
  clob.engine.addMarket({ conditionId: LATE_CID, question: 'A market listed after the sync?', tokens: [{ tokenId: LATE_YES, outcome: 'Yes' }, { tokenId: LATE_NO, outcome: 'No' }], tickSize: new Decimal('0.01'), minOrderSize: new Decimal(7) });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([clob.stop(), kalshi.stop()]);
});

describe('market data at start', () => {
  it('runs on live data: no demo market is open, the feed is the live one', async () => {
    expect(stack.marketData.kind).toBe('live');
    expect(stack.marketData.feed).toBe(stack.marketData.live);
    expect(stack.core.directory.all().filter((m) => m.status === 'open').map((m) => m.id)).not.toContain('fed-cut-dec-2026');
  });
});

describe('OpenAPI', () => {
  it('documents both admin market routes', async () => {
    const res = await fetch(`${stack.address}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/admin/markets'] ?? {})).toContain('post');
    expect(Object.keys(doc.paths['/admin/markets/suggestions'] ?? {})).toContain('get');
  });
});

describe('GET /admin/markets/suggestions', () => {
  it('ranks the true pairs first, with score and reasons; paged', async () => {
    const res = await call('GET', '/admin/markets/suggestions?limit=2');
    expect(res.status).toBe(200);
    const pairs = res.body.suggestions.map((s: any) => `${s.polymarket.venueMarketId}|${s.kalshi.venueMarketId}`);
    expect(pairs).toEqual([`${FED_CID}|KXFEDCUT-26DEC`, `${hex('c')}|KXBTCMAX-26DEC-150000`]);
    expect(res.body.suggestions[0].score).toBeGreaterThan(0.6);
    expect(res.body.suggestions[0].reasons.join(' ')).toMatch(/shared words .*fed.*close on the same day/);
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    const next = await call('GET', '/admin/markets/suggestions?limit=2&offset=2');
    expect(next.status).toBe(200);
    expect(next.body.suggestions.map((s: any) => s.kalshi.venueMarketId)).not.toContain('KXFEDCUT-26DEC');
    for (const q of ['limit=0', 'limit=500', 'offset=-1', 'limit=abc', 'foo=1']) {
      const bad = await call('GET', `/admin/markets/suggestions?${q}`);
      expect(bad.status, q).toBe(400);
    }
    expect((await call('GET', '/admin/markets/suggestions', undefined, 'wrong-token-wrong-token')).status).toBe(401);
  });
});

describe('POST /admin/markets', () => {
  it('registers a two-venue market with the venue rules from the synced catalog; audited; then it leaves the suggestions', async () => {
    const before = await counts();
    const res = await call('POST', '/admin/markets', {
      title: 'Fed cut in December 2026',
      category: 'economics',
      closesAt: '2026-12-09T19:00:00Z',
      listings: [
        { venue: 'polymarket', conditionId: FED_CID, yesTokenId: FED_YES, noTokenId: FED_NO },
        { venue: 'kalshi', ticker: 'kxfedcut-26dec' },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.market).toMatchObject({ id: 'fed-cut-in-december-2026', title: 'Fed cut in December 2026', category: 'economics', status: 'open', closesAt: '2026-12-09T19:00:00.000Z' });
    const byVenue = Object.fromEntries(res.body.market.listings.map((l: any) => [l.venue, l]));
    expect(byVenue.polymarket).toMatchObject({ venueMarketId: FED_CID, yesTokenId: FED_YES, noTokenId: FED_NO, tickSize: '0.001', minSize: '10', negRisk: true });
    expect(byVenue.kalshi).toMatchObject({ venueMarketId: 'KXFEDCUT-26DEC', tickSize: '0.01', minSize: '1', negRisk: false });
    const after = await counts();
    expect(after).toEqual({ markets: before.markets + 1, listings: before.listings + 2, audits: before.audits + 1 });
    const audit = await stack.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'market.register' }, orderBy: { createdAt: 'desc' } });
    expect(audit).toMatchObject({ actor: 'admin:http', subject: 'fed-cut-in-december-2026' });
    expect(JSON.stringify(audit.details)).toMatch(/"source":"catalog"/);
    const sug = await call('GET', '/admin/markets/suggestions?limit=100');
    expect(sug.body.suggestions.map((s: any) => s.kalshi.venueMarketId)).not.toContain('KXFEDCUT-26DEC');
  });

  it('paper-on-live: the registered market gets live books and a paper order fills against the venue\'s book', async () => {
    const market = stack.core.directory.get('fed-cut-in-december-2026')!;
    expect(market).toBeTruthy();
    await waitFor(() => stack.marketData.feed.getBook('polymarket', FED_CID, 'yes'), (b) => b !== null && b.asks.length > 0);
    expect(stack.marketData.feed.getBook('polymarket', FED_CID, 'yes')!.asks[0]!.price.toFixed()).toBe('0.62');
    expect(stack.marketData.feed.getBook('kalshi', 'KXFEDCUT-26DEC', 'yes')!.asks[0]!.price.toFixed()).toBe('0.61');
    const user = await call('POST', '/admin/users', { name: 'paper-live' });
    const order = await call('POST', '/api/v1/trading/order', { marketId: market.id, side: 'yes', action: 'buy', type: 'market', amount: '12', exchange: 'polymarket' }, user.body.apiToken);
    expect(order.status).toBe(201);
    const o = await waitFor(
      async () => (await call('GET', `/api/v1/trading/orders/${order.body.order.id}`, undefined, user.body.apiToken)).body.order,
      (x: any) => x.status === 'filled',
    );
    expect(o.avgFillPrice).toBe('0.62');
    expect(o.filledQuantity).toBe('19.35');
  });

  it('the venue going down: the listing goes stale for the monitors (no book either), and comes back when the venue answers', async () => {
    const listingId = 'fed-cut-in-december-2026:polymarket';
    const quote = () => stack.db.prisma.listingQuote.findUnique({ where: { listingId } });
    await waitFor(quote, (q) => q !== null && !q.stale);
    clob.fault({ path: '/book', kind: 'status', status: 503, times: 1_000_000 });
    await waitFor(() => stack.marketData.feed.getBook('polymarket', FED_CID, 'yes'), (b) => b === null);
    await new Promise((r) => setTimeout(r, 300));
    await stack.monitors!.sweep();
    expect((await quote())?.stale).toBe(true);
    expect(stack.marketData.live!.venueStatus('polymarket').down).toBe(true);
    expect(stack.marketData.feed.getBook('kalshi', 'KXFEDCUT-26DEC', 'yes')).not.toBeNull(); // the other venue is fine
    clob.clearFaults();
    await waitFor(quote, (q) => q !== null && !q.stale, 15_000);
    expect(stack.marketData.feed.getBook('polymarket', FED_CID, 'yes')).not.toBeNull();
  }, 20_000);

  it('takes the rules from the venue when the catalog does not have the market yet', async () => {
    const res = await call('POST', '/admin/markets', {
      title: 'A late market',
      category: 'test',
      listings: [{ venue: 'polymarket', conditionId: LATE_CID.toUpperCase().replace('0X', '0x'), yesTokenId: LATE_YES, noTokenId: LATE_NO }],
    });
    expect(res.status).toBe(201);
    expect(res.body.market.listings[0]).toMatchObject({ venueMarketId: LATE_CID, tickSize: '0.01', minSize: '7', negRisk: false });
    const audit = await stack.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'market.register', subject: 'a-late-market' } });
    expect(JSON.stringify(audit.details)).toMatch(/"source":"venue"/);
    expect(await stack.db.prisma.venueMarket.count({ where: { venueMarketId: LATE_CID } })).toBe(1);
  });

  const good = { title: 'Hottest year', category: 'weather', listings: [{ venue: 'kalshi', ticker: 'KXHOTYEAR-26' }] };
  const cases: [string, unknown, number, RegExp][] = [
    ['missing title', { ...good, title: undefined }, 400, /title is required/],
    ['empty title', { ...good, title: '  ' }, 400, /title must not be empty/],
    ['missing category', { ...good, category: undefined }, 400, /category is required/],
    ['bad closesAt', { ...good, closesAt: 'next week' }, 400, /closesAt must be an ISO 8601 date-time/],
    ['missing listings', { title: 'x', category: 'y' }, 400, /listings is required/],
    ['no listings', { ...good, listings: [] }, 400, /listings must have at least 1 entry/],
    ['three listings', { ...good, listings: [{ venue: 'kalshi', ticker: 'A-1' }, { venue: 'kalshi', ticker: 'B-1' }, { venue: 'kalshi', ticker: 'C-1' }] }, 400, /at most 2 entries/],
    ['duplicate venue', { ...good, listings: [{ venue: 'kalshi', ticker: 'KXHOTYEAR-26' }, { venue: 'kalshi', ticker: 'KXBTCMAX-26DEC-150000' }] }, 400, /two Kalshi entries: at most one listing per venue/],
    ['unknown venue', { ...good, listings: [{ venue: 'betfair', ticker: 'X' }] }, 400, /venue must be "polymarket" or "kalshi", not "betfair"/],
    ['missing venue', { ...good, listings: [{ ticker: 'X' }] }, 400, /venue is required/],
    ['missing ticker', { ...good, listings: [{ venue: 'kalshi' }] }, 400, /ticker is required/],
    ['bad ticker', { ...good, listings: [{ venue: 'kalshi', ticker: 'not a ticker!' }] }, 400, /ticker must be a Kalshi market ticker/],
    ['bad condition id', { ...good, listings: [{ venue: 'polymarket', conditionId: '0x1234', yesTokenId: '1', noTokenId: '2' }] }, 400, /conditionId must be 0x followed by 64 hex digits/],
    ['bad token id', { ...good, listings: [{ venue: 'polymarket', conditionId: hex('c'), yesTokenId: '0xabc', noTokenId: '32' }] }, 400, /yesTokenId must be a Polymarket token id/],
    ['same tokens', { ...good, listings: [{ venue: 'polymarket', conditionId: hex('c'), yesTokenId: '31', noTokenId: '31' }] }, 400, /yesTokenId and noTokenId must differ/],
    ['missing token', { ...good, listings: [{ venue: 'polymarket', conditionId: hex('c'), yesTokenId: '31' }] }, 400, /noTokenId is required/],
    ['unknown field', { ...good, tickSize: '0.01' }, 400, /unknown body field "tickSize"/],
    ['admin-typed tick in a listing', { ...good, listings: [{ venue: 'kalshi', ticker: 'KXHOTYEAR-26', tickSize: '0.1' }] }, 400, /listings\.0: unknown field "tickSize" \(tick size, minimum size and neg-risk are read from the venue\)/],
    ['already listed', { ...good, listings: [{ venue: 'kalshi', ticker: 'KXFEDCUT-26DEC' }] }, 409, /Kalshi KXFEDCUT-26DEC is already listed as market "fed-cut-in-december-2026"/],
    ['already listed token', { ...good, listings: [{ venue: 'polymarket', conditionId: hex('e'), yesTokenId: FED_YES, noTokenId: '99' }] }, 409, /already listed as market "fed-cut-in-december-2026"/],
    ['swapped tokens', { ...good, listings: [{ venue: 'polymarket', conditionId: hex('c'), yesTokenId: '32', noTokenId: '31' }] }, 422, /do not match Polymarket condition .*YES token is 31/],
    ['unknown on Kalshi', { ...good, listings: [{ venue: 'kalshi', ticker: 'KXNOPE-26' }] }, 422, /Kalshi has no market KXNOPE-26/],
    ['unknown on Polymarket', { ...good, listings: [{ venue: 'polymarket', conditionId: hex('f'), yesTokenId: '61', noTokenId: '62' }] }, 422, /Polymarket has no market 0xf/],
  ];
  it.each(cases)('bad input: %s → 4xx with a specific message, nothing written', async (_name, body, status, msg) => {
    const before = await counts();
    const res = await call('POST', '/admin/markets', body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(msg);
    expect(await counts()).toEqual(before);
  });

  it('a venue that cannot be reached → 503 with Retry-After, never 500, nothing written; fine again once it answers', async () => {
    kalshi.engine.addMarket({ ticker: 'KXDOWN-26', title: 'Down test' });
    kalshi.fault({ path: '/markets/KXDOWN-26', kind: '503', times: 5 });
    const before = await counts();
    const res = await call('POST', '/admin/markets', { title: 'Down test', category: 'test', listings: [{ venue: 'kalshi', ticker: 'KXDOWN-26' }] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body.error).toMatchObject({ code: 'venue_unavailable' });
    expect(res.body.error.message).toMatch(/Kalshi could not be reached/);
    expect(await counts()).toEqual(before);
    kalshi.clearFaults();
    const ok = await call('POST', '/admin/markets', { title: 'Down test', category: 'test', listings: [{ venue: 'kalshi', ticker: 'KXDOWN-26' }] });
    expect(ok.status).toBe(201);
  });

  it('two concurrent registrations of the same listing: one 201, one 409', async () => {
    const body = { title: 'Bitcoin 150k', category: 'crypto', listings: [{ venue: 'kalshi', ticker: 'KXBTCMAX-26DEC-150000' }] };
    const [a, b] = await Promise.all([call('POST', '/admin/markets', body), call('POST', '/admin/markets', body)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await stack.db.prisma.marketListing.count({ where: { venueMarketId: 'KXBTCMAX-26DEC-150000' } })).toBe(1);
  });
});
