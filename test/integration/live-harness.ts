/**
 * The whole process in TRADING_MODE=live against the fake venues, with one market listed on both
 * (registered in the database before start, as an admin registration would leave it):
 *
 *   const h = await startLiveStack({ logSink });   // h.clob, h.kalshi, h.app, h.db, h.market
 *   ...
 *   await h.stop();
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../core/config.ts';
import { seedCatalog } from '../../core/markets/catalog.ts';
import { Decimal } from '../../core/money.ts';
import { startYesno, type Yesno } from '../../main.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { FakeClob } from '../fakes/polymarket/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** The cross-listed test market: Polymarket YES ask 0.40, Kalshi YES ask 0.50. */
export const LIVE_MARKET = {
  id: 'live-test-fed-cut',
  conditionId: `0x${'7e'.repeat(32)}`,
  yesToken: '1234567890123456789012345678901234567890123456789012345678901234567890123451',
  noToken: '1234567890123456789012345678901234567890123456789012345678901234567890123452',
  ticker: 'KXLIVETEST-26DEC',
} as const;

/** Registers LIVE_MARKET (both venues' listings, as the fakes know them) in a test database. */
export async function seedLiveMarket(db: TestDatabase): Promise<void> {
  const m = LIVE_MARKET;
  await seedCatalog(db.prisma, [
    {
      id: m.id,
      slug: m.id,
      title: 'Will the live test pass?',
      category: 'tests',
      closesAt: new Date(Date.now() + 30 * 86_400_000),
      listings: [
        { id: `${m.id}:polymarket`, venue: 'polymarket', venueMarketId: m.conditionId, yesTokenId: m.yesToken, noTokenId: m.noToken, tickSize: new Decimal('0.01'), minSize: new Decimal('5'), negRisk: false, initialMid: new Decimal('0.39') },
        { id: `${m.id}:kalshi`, venue: 'kalshi', venueMarketId: m.ticker, tickSize: new Decimal('0.01'), minSize: new Decimal('1'), negRisk: false, initialMid: new Decimal('0.475') },
      ],
    },
  ]);
}

export interface LiveStack {
  app: Yesno;
  db: TestDatabase;
  clob: FakeClob;
  kalshi: FakeKalshi;
  /** The master key the vault runs with. */
  masterKey: string;
  stop(): Promise<void>;
}

export async function startLiveStack(opts: { logSink?: Writable; env?: Record<string, string>; workers?: boolean } = {}): Promise<LiveStack> {
  const m = LIVE_MARKET;
  const clob = new FakeClob({ chainId: 137 });
  await clob.start();
  clob.engine.addMarket({ conditionId: m.conditionId, question: 'Will the live test pass?', tokens: [{ tokenId: m.yesToken, outcome: 'Yes' }, { tokenId: m.noToken, outcome: 'No' }] });
  clob.engine.seedBook({ tokenId: m.yesToken, bids: [{ price: '0.38', size: '1000' }], asks: [{ price: '0.40', size: '1000' }] });
  clob.engine.seedBook({ tokenId: m.noToken, bids: [{ price: '0.58', size: '1000' }], asks: [{ price: '0.62', size: '1000' }] });
  const kalshi = await FakeKalshi.start();
  kalshi.engine.addMarket({ ticker: m.ticker, title: 'Will the live test pass?' });
  kalshi.engine.seedBook(m.ticker, { yesBids: [['0.45', '1000']], noBids: [['0.50', '1000']] });

  const db = await createTestDatabase();
  await seedLiveMarket(db);
  const masterKey = randomBytes(32).toString('hex');
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    MARKET_TICK_MS: '0',
    NODE_ENV: 'test',
    LOG_LEVEL: opts.logSink ? 'trace' : 'silent',
    TRADING_MODE: 'live',
    CREDENTIALS_KEY: masterKey,
    POLYMARKET_CLOB_URL: clob.url,
    POLYMARKET_WS_URL: `ws://127.0.0.1:1/ws`,
    KALSHI_API_URL: kalshi.url,
    KALSHI_WS_URL: `ws://127.0.0.1:1/trade-api/ws/v2`,
    VENUE_TIMEOUT_MS: '1500',
    MARKET_POLL_SECONDS: '0.5',
    ...opts.env,
  });
  const log = opts.logSink ? pino({ level: 'trace' }, opts.logSink) : pino({ level: 'silent' });
  let app: Yesno;
  try {
    app = await startYesno(config, { http: true, workers: opts.workers ?? false, log });
  } catch (err) {
    await Promise.all([db.drop(), clob.stop(), kalshi.stop()]);
    throw err;
  }
  return {
    app,
    db,
    clob,
    kalshi,
    masterKey,
    async stop() {
      await app.stop();
      await db.drop();
      await clob.stop();
      await kalshi.stop();
    },
  };
}
