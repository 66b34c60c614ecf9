/**
 * Catalog sync against the fake venues and a real database: paging into VenueMarket rows, venue
 * rules copied onto registered listings, a venue down (the other still syncs, the cursor is kept and
 * the next run resumes), markets closing, the directory reloading; and the pg-boss job.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Decimal } from '../../core/money.ts';
import { MarketDirectory } from '../../core/markets/directory.ts';
import { syncCatalog } from '../../core/markets/catalog-sync.ts';
import { createPublicApis } from '../../core/markets/market-data-source.ts';
import { createBoss, startBoss } from '../../jobs/index.ts';
import { startCatalogSyncWorker } from '../../jobs/catalog-sync.ts';
import { FakeClob } from '../fakes/polymarket/index.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const cid = (i: number) => `0x${i.toString(16).padStart(2, '0').repeat(32)}`;
const clob = new FakeClob({ pageSize: 2 });
let kalshi: FakeKalshi;
let db: TestDatabase;
let apis: ReturnType<typeof createPublicApis>;

beforeAll(async () => {
  await clob.start();
  for (let i = 1; i <= 5; i++) {
    clob.engine.addMarket({
      conditionId: cid(i),
      question: `Will event number ${i} happen?`,
      tokens: [{ tokenId: `${i}001`, outcome: 'Yes' }, { tokenId: `${i}002`, outcome: 'No' }],
      tickSize: new Decimal(i === 2 ? '0.001' : '0.01'),
      minOrderSize: new Decimal(i === 2 ? 15 : 5),
      negRisk: i === 2,
      endDate: '2026-12-31T00:00:00Z',
      closed: i === 5,
    });
  }
  kalshi = await FakeKalshi.start();
  for (const t of ['KXA-26-A', 'KXB-26-B', 'KXC-26-C']) kalshi.engine.addMarket({ ticker: t, title: `Kalshi market ${t}` });
  kalshi.engine.addMarket({ ticker: 'KXOLD-25-X', status: 'closed' });
  db = await createTestDatabase();
  apis = createPublicApis({ endpoints: { polymarketClobUrl: clob.url, kalshiApiUrl: kalshi.url }, timeoutMs: 500 });
});
afterAll(async () => {
  await Promise.all([clob.stop(), kalshi.stop(), db.drop()]);
});
beforeEach(async () => {
  clob.clearFaults();
  kalshi.clearFaults();
  await db.prisma.setting.deleteMany({ where: { key: { startsWith: 'catalog-sync:' } } });
});

async function registerListing(marketId: string, venue: 'polymarket' | 'kalshi', venueMarketId: string) {
  await db.prisma.market.upsert({ where: { id: marketId }, create: { id: marketId, slug: marketId, title: marketId, category: 'test' }, update: {} });
  await db.prisma.marketListing.create({
    data: { id: `${marketId}:${venue}`, marketId, venue, venueMarketId, tickSize: '0.01', minSize: '1', negRisk: false, yesTokenId: venue === 'polymarket' ? '2001' : null, noTokenId: venue === 'polymarket' ? '2002' : null },
  });
}

describe('catalog sync', () => {
  it('pages every open market of both venues into VenueMarket rows and copies venue rules onto registered listings', async () => {
    await registerListing('event-2', 'polymarket', cid(2));
    const directory = new MarketDirectory(db.prisma);
    await directory.load();
    expect(directory.listing('event-2:polymarket')?.listing.tickSize.toFixed()).toBe('0.01');

    const report = await syncCatalog({ prisma: db.prisma, apis, directory }, { maxPages: 10 });
    expect(report.venues.map((v) => [v.venue, v.completed, v.error])).toEqual([['polymarket', true, null], ['kalshi', true, null]]);
    expect(report.venues[0]!.pages).toBe(3); // 5 markets, 2 per page

    const poly = await db.prisma.venueMarket.findMany({ where: { venue: 'polymarket' }, orderBy: { venueMarketId: 'asc' } });
    expect(poly.map((r) => r.venueMarketId)).toEqual([cid(1), cid(2), cid(3), cid(4)]); // the closed one is not stored
    const two = poly[1]!;
    expect(two).toMatchObject({ title: 'Will event number 2 happen?', status: 'open', yesTokenId: '2001', noTokenId: '2002', negRisk: true });
    expect(two.tickSize?.toString()).toBe('0.001');
    expect(two.minSize?.toString()).toBe('15');
    expect(two.closesAt?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    const kal = await db.prisma.venueMarket.findMany({ where: { venue: 'kalshi' }, orderBy: { venueMarketId: 'asc' } });
    expect(kal.map((r) => [r.venueMarketId, r.status, r.tickSize?.toString(), r.minSize?.toString()])).toEqual([
      ['KXA-26-A', 'open', '0.01', '1'],
      ['KXB-26-B', 'open', '0.01', '1'],
      ['KXC-26-C', 'open', '0.01', '1'],
    ]);

    // The registered listing took the venue's rules; the directory was reloaded.
    expect(report.listingsRefreshed).toBe(1);
    const listing = await db.prisma.marketListing.findUniqueOrThrow({ where: { id: 'event-2:polymarket' } });
    expect([listing.tickSize.toString(), listing.minSize.toString(), listing.negRisk]).toEqual(['0.001', '15', true]);
    expect(directory.listing('event-2:polymarket')?.listing.tickSize.toFixed()).toBe('0.001');

    // Idempotent: a second run changes no listing and duplicates no row.
    const again = await syncCatalog({ prisma: db.prisma, apis, directory }, { maxPages: 10 });
    expect(again.listingsRefreshed).toBe(0);
    expect(await db.prisma.venueMarket.count()).toBe(7);
  });

  it('is bounded and resumable: maxPages per run, the cursor saved, the next run continues', async () => {
    const first = await syncCatalog({ prisma: db.prisma, apis }, { maxPages: 1 });
    expect(first.venues[0]).toMatchObject({ venue: 'polymarket', pages: 1, completed: false });
    const saved = await db.prisma.setting.findUniqueOrThrow({ where: { key: 'catalog-sync:polymarket' } });
    expect((saved.value as { cursor: string }).cursor).toBeTruthy();
    const before = clob.requests.filter((r) => r.path === '/markets').length;
    const second = await syncCatalog({ prisma: db.prisma, apis }, { maxPages: 1 });
    expect(second.venues[0]).toMatchObject({ pages: 1, completed: false });
    const third = await syncCatalog({ prisma: db.prisma, apis }, { maxPages: 1 });
    expect(third.venues[0]).toMatchObject({ pages: 1, completed: true });
    expect(clob.requests.filter((r) => r.path === '/markets').length - before).toBe(2);
    // After the end the next run starts again from the first page.
    const cursor = (await db.prisma.setting.findUniqueOrThrow({ where: { key: 'catalog-sync:polymarket' } })).value as { cursor: string | null };
    expect(cursor.cursor).toBeNull();
  });

  it('a venue that is down: reported, its cursor kept, the other venue still syncs; nothing throws', async () => {
    await syncCatalog({ prisma: db.prisma, apis }, { maxPages: 1 }); // polymarket cursor at page 2
    const cursorBefore = ((await db.prisma.setting.findUniqueOrThrow({ where: { key: 'catalog-sync:polymarket' } })).value as { cursor: string }).cursor;
    clob.fault({ path: '/markets', kind: 'status', status: 503, times: 10 });
    kalshi.engine.addMarket({ ticker: 'KXNEW-26-N', title: 'A new Kalshi market' });
    const report = await syncCatalog({ prisma: db.prisma, apis }, { maxPages: 5 });
    expect(report.venues[0]).toMatchObject({ venue: 'polymarket', pages: 0, completed: false });
    expect(report.venues[0]!.error).toMatch(/Polymarket/);
    expect(report.venues[1]).toMatchObject({ venue: 'kalshi', completed: true, error: null });
    expect(await db.prisma.venueMarket.count({ where: { venueMarketId: 'KXNEW-26-N' } })).toBe(1);
    const cursorAfter = ((await db.prisma.setting.findUniqueOrThrow({ where: { key: 'catalog-sync:polymarket' } })).value as { cursor: string }).cursor;
    expect(cursorAfter).toBe(cursorBefore);
  });

  it('a registered Kalshi market that closes (the open-only listing no longer shows it) is looked up, and its yesno market closes', async () => {
    kalshi.engine.addMarket({ ticker: 'KXCLOSE-26-Z', title: 'Closing soon' });
    await registerListing('closing', 'kalshi', 'KXCLOSE-26-Z');
    await syncCatalog({ prisma: db.prisma, apis }, { maxPages: 10 });
    expect((await db.prisma.market.findUniqueOrThrow({ where: { id: 'closing' } })).status).toBe('open');
    kalshi.engine.markets.get('KXCLOSE-26-Z')!.status = 'closed';
    const directory = new MarketDirectory(db.prisma);
    await directory.load();
    const report = await syncCatalog({ prisma: db.prisma, apis, directory }, { maxPages: 10 });
    expect(report.marketsClosed).toBe(1);
    expect((await db.prisma.venueMarket.findFirstOrThrow({ where: { venueMarketId: 'KXCLOSE-26-Z' } })).status).toBe('closed');
    expect((await db.prisma.market.findUniqueOrThrow({ where: { id: 'closing' } })).status).toBe('closed');
    expect(directory.get('closing')?.status).toBe('closed');
  });

  it('the pg-boss job runs at start on its exclusive queue', async () => {
    const log = pino({ level: 'silent' });
    const boss = createBoss({ connectionString: db.url, log, supervise: false });
    await startBoss(boss);
    let runs = 0;
    try {
      const job = await startCatalogSyncWorker({
        boss,
        log,
        sync: async () => {
          runs += 1;
          return syncCatalog({ prisma: db.prisma, apis }, { maxPages: 10 });
        },
      });
      const deadline = Date.now() + 10_000;
      while (runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(runs).toBe(1);
      await job.trigger();
      await job.trigger(); // exclusive: at most one queued or active
      const queue = await boss.getQueue('catalog-sync');
      expect(queue?.policy).toBe('exclusive');
    } finally {
      await boss.stop({ graceful: false, timeout: 1000 });
    }
  });
});
