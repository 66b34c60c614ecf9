/**
 * A following "process" for the copy/counter-trade tests: the automation harness (real core, paper
 * venues, a synthetic feed moved by hand, a record of every request handed to an adapter) plus the
 * follow engine reading a local fake data API over real HTTP, and (optionally) a real pg-boss with
 * the follow queues worked, for delayed executions and the daily reset. Two harnesses on one database
 * are two worker processes.
 */
import { pino } from 'pino';
import type { PgBoss } from 'pg-boss';
import { PolymarketDataApi } from '../../core/exchanges/polymarket/data-api.ts';
import { createFollowEngine, type FollowEngine } from '../../core/following/engine.ts';
import { demoConditionId, demoTokenId } from '../../core/markets/catalog.ts';
import { Decimal } from '../../core/money.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { createBoss, createJobPort, startBoss } from '../../jobs/index.ts';
import { startFollowing, type RunningFollowing } from '../../jobs/following.ts';
import type { FakeDataApi } from '../fakes/polymarket/data-api.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { lv, startHarness, type Harness } from './automation-harness.ts';

export interface FollowHarness {
  h: Harness;
  engine: FollowEngine;
  boss: PgBoss | null;
  following: RunningFollowing | null;
  prisma: PrismaClient;
  /** Moves the clock one poll interval on (unless `advance` is false), runs one poll cycle, then waits for the executions it started. */
  poll(opts?: { advance?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export const WALLET = '0x56687bf447db6ffa42ffe2204a05edaa20f55839';
export const WALLET2 = '0x1111111111111111111111111111111111111111';

/** The data API token id of a demo market's outcome. */
export const token = (marketId: string, outcome: 'yes' | 'no') => demoTokenId(marketId, outcome);

export async function startFollowHarness(
  db: TestDatabase,
  api: FakeDataApi,
  opts: { boss?: boolean; tz?: string; pollSeconds?: number; resetCron?: string; maxTradeAgeMs?: number } = {},
): Promise<FollowHarness> {
  const h = await startHarness(db);
  let boss: PgBoss | null = null;
  let jobs = { async send() {} } as Parameters<typeof createFollowEngine>[0]['jobs'];
  const log = pino({ level: process.env.FOLLOW_TEST_LOG ?? 'silent' });
  if (opts.boss) {
    boss = createBoss({ connectionString: db.url, log, max: 3, extra: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 } });
    await startBoss(boss);
    jobs = createJobPort(boss);
  }
  const engine = createFollowEngine({
    prisma: h.prisma,
    jobs,
    source: new PolymarketDataApi({ baseUrl: api.url, timeoutMs: 2_000, pageSize: 10, maxPages: 5 }),
    trading: h.core.trading,
    directory: h.core.directory,
    adapters: h.core.adapters,
    settings: { maxOrderUsd: new Decimal(10000), defaultSlippage: new Decimal('0.05') },
    pollSeconds: opts.pollSeconds ?? 0.2,
    tz: opts.tz ?? 'UTC',
    clock: h.now,
    recoverAfterMs: 1_000,
    riskIntervalMs: 0,
    ...(opts.maxTradeAgeMs ? { maxTradeAgeMs: opts.maxTradeAgeMs } : {}),
  });
  const following = boss
    ? await startFollowing({ boss, engine, log, pollSeconds: 0, tz: opts.tz ?? 'UTC', sweepMs: 0, resetCron: opts.resetCron, pollingIntervalSeconds: 0.5 })
    : null;
  return {
    h,
    engine,
    boss,
    following,
    prisma: h.prisma,
    async poll(o = {}) {
      if (o.advance ?? true) h.advance((opts.pollSeconds ?? 0.2) * 1000);
      await engine.cycle();
      await engine.idle();
      await h.settle();
    },
    async stop() {
      await following?.stop();
      await boss?.stop({ graceful: false, timeout: 2_000 });
      await h.stop();
    },
  };
}

/** A two-sided book on a demo market's Polymarket listing: YES bid/ask, NO the mirror. */
export function setPolyBook(h: Harness, marketId: string, bid: string, ask: string, size = '10000'): void {
  h.feed.setBook('polymarket', demoConditionId(marketId), { bids: [lv(bid, size)], asks: [lv(ask, size)] });
}

export async function followTexts(prisma: PrismaClient, userId: string, event = 'follow_trade'): Promise<string[]> {
  const rows = await prisma.notificationOutbox.findMany({ where: { userId, kind: 'automation' }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => r.payload as { event: string; text: string }).filter((p) => p.event === event).map((p) => p.text);
}
