/**
 * Following over time, with real pg-boss: the execution delay (startAfter, re-quoted when it runs),
 * the daily stop-loss pause, and the daily reset at midnight in COUNTER_RESET_TZ: across DST changes
 * in America/New_York (pg-boss's own cron preview agrees with our day boundaries), and with two
 * processes (two pg-boss instances working the reset queue at once): one reset, one message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayStart, nextDayStart } from '../../core/following/day.ts';
import { FollowRisk } from '../../core/following/risk.ts';
import { Decimal } from '../../core/money.ts';
import { FOLLOW_RESET_QUEUE } from '../../jobs/following.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeDataApi, type FakeDataApi } from '../fakes/polymarket/data-api.ts';
import { followTexts, setPolyBook, startFollowHarness, token, type FollowHarness } from './follow-harness.ts';

const APPLE = 'apple-foldable-2026';
const NY = 'America/New_York';
const d = (s: string) => new Decimal(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(50);
  }
}

describe('trading days in a time zone', () => {
  it('midnight in New York across the spring and fall DST changes (23- and 25-hour days)', () => {
    const at = (s: string) => new Date(s);
    // Spring forward: Sunday 2027-03-14, 02:00 EST → 03:00 EDT.
    expect(dayStart(at('2027-03-14T04:59:59Z'), NY).toISOString()).toBe('2027-03-13T05:00:00.000Z');
    expect(dayStart(at('2027-03-14T05:00:00Z'), NY).toISOString()).toBe('2027-03-14T05:00:00.000Z');
    expect(nextDayStart(at('2027-03-14T12:00:00Z'), NY).toISOString()).toBe('2027-03-15T04:00:00.000Z');
    // Fall back: Sunday 2026-11-01, 02:00 EDT → 01:00 EST.
    expect(dayStart(at('2026-11-01T03:59:59Z'), NY).toISOString()).toBe('2026-10-31T04:00:00.000Z');
    expect(nextDayStart(at('2026-11-01T12:00:00Z'), NY).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(dayStart(at('2026-12-31T23:59:59Z'), 'UTC').toISOString()).toBe('2026-12-31T00:00:00.000Z');
  });
});

describe('delay, stop-loss and the daily reset', () => {
  let db: TestDatabase;
  let api: FakeDataApi;
  let f: FollowHarness;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startFakeDataApi();
    f = await startFollowHarness(db, api, { boss: true, tz: NY });
    setPolyBook(f.h, APPLE, '0.48', '0.50');
    userId = (await f.h.core.users.createUser({ name: 'ann' })).user.id;
  });
  afterAll(async () => {
    await f?.stop();
    await api?.close();
    await db?.drop();
  });

  it('pg-boss fires the reset at midnight New York time, DST included (its cron preview matches our day boundaries)', async () => {
    const schedules = await f.boss!.getSchedules(FOLLOW_RESET_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]!.cron).toBe('0 0 * * *');
    expect(schedules[0]!.options?.tz).toBe(NY);
    for (const from of ['2027-03-13T12:00:00Z', '2027-03-14T12:00:00Z', '2026-10-31T12:00:00Z', '2026-11-01T12:00:00Z']) {
      const [next] = f.boss!.previewSchedule('0 0 * * *', { tz: NY, from: new Date(from), count: 1 });
      expect(next!.toISOString(), from).toBe(nextDayStart(new Date(from), NY).toISOString());
    }
  });

  it('a delayed follow places its order after executionDelaySec through a pg-boss job, re-quoted then', async () => {
    const w = '0x2222222222222222222222222222222222222222';
    const c = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: w, executionDelaySec: 2 });
    await f.poll();
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 10, price: 0.5 });
    const seen = Date.now();
    await f.poll();
    const exe = await f.prisma.followExecution.findFirstOrThrow({ where: { configId: c.id } });
    expect(exe.status).toBe('scheduled');
    expect(exe.runAt.getTime() - seen).toBeGreaterThanOrEqual(1_500);
    expect(await f.prisma.order.count({ where: { copyTradeSubId: c.id } })).toBe(0);
    // The price moves during the delay: the order is priced on the book at execution time.
    setPolyBook(f.h, APPLE, '0.58', '0.60');
    const done = await until(() => f.prisma.followExecution.findUniqueOrThrow({ where: { id: exe.id } }), (e) => e.status !== 'scheduled' && e.status !== 'executing');
    expect(done.status).toBe('placed');
    const order = await f.prisma.order.findUniqueOrThrow({ where: { id: done.orderId! } });
    expect(order.createdAt.getTime() - seen).toBeGreaterThanOrEqual(1_800);
    expect(new Decimal(order.price.toString()).gte('0.6')).toBe(true);
    expect(order.avgFillPrice?.toString()).toBe('0.6');
    setPolyBook(f.h, APPLE, '0.48', '0.50');
  });

  it('the daily stop-loss pauses the follow until midnight New York time and says so; the reset lifts it once', async () => {
    const w = '0x3333333333333333333333333333333333333333';
    const c = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w, dailyStopLoss: d('5') });
    await f.poll();
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 50, price: 0.5 });
    await f.poll();
    expect(await f.prisma.order.count({ where: { counterTradeId: c.id } })).toBe(1);
    // Still above the stop: the check stores today's PnL, nothing pauses.
    await f.engine.sweep();
    let view = await f.h.core.follow.get({ userId, id: c.id });
    expect(view.state).toBe('active');
    expect(view.dailyPnl.lt(0)).toBe(true);
    expect(view.dailyPnl.gt(-5)).toBe(true);
    // YES jumps: our NO shares are worth little now.
    setPolyBook(f.h, APPLE, '0.95', '0.97');
    const r = await f.engine.sweep();
    expect(r.paused).toBe(1);
    view = await f.h.core.follow.get({ userId, id: c.id });
    expect(view.state).toBe('stopped-loss');
    expect(view.pauseReason).toBe('daily stop-loss');
    expect(view.dailyPnl.lte(-5)).toBe(true);
    expect(view.pausedUntil!.toISOString()).toBe(nextDayStart(f.h.now(), NY).toISOString());
    const paused = await followTexts(f.prisma, userId, 'follow_paused');
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatch(/paused: today's PnL is -\$\d+\.\d\d, at or below your daily stop-loss of -\$5\.00\. It resumes at the daily reset \(.* UTC, midnight America\/New_York\)/);
    // Checked again: no second pause, no second message. A new target trade is not followed.
    expect((await f.engine.sweep()).paused).toBe(0);
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 50, price: 0.96 });
    await f.poll();
    expect(await f.prisma.order.count({ where: { counterTradeId: c.id } })).toBe(1);
    const skipped = await f.prisma.followExecution.findMany({ where: { configId: c.id, status: 'skipped' } });
    expect(skipped.map((e) => e.reason)).toEqual(['paused by the daily stop-loss']);
    setPolyBook(f.h, APPLE, '0.48', '0.50');

    // Midnight in New York: the reset lifts the pause and zeroes the day, once.
    const midnight = nextDayStart(f.h.now(), NY);
    f.h.advance(midnight.getTime() - f.h.now().getTime() + 1_000);
    expect(await f.engine.resetDay()).toBeGreaterThanOrEqual(1);
    expect(await f.engine.resetDay()).toBe(0);
    view = await f.h.core.follow.get({ userId, id: c.id });
    expect(view).toMatchObject({ state: 'active', pauseReason: null, pausedUntil: null, dailyTradeCount: 0 });
    expect(view.dailyPnl.isZero()).toBe(true);
    expect(view.dailyResetAt!.toISOString()).toBe(midnight.toISOString());
    expect(await followTexts(f.prisma, userId, 'follow_resumed')).toHaveLength(1);
  });

  it('two processes (two pg-boss instances) both running the reset job: one reset, one message', async () => {
    const g = await startFollowHarness(db, api, { boss: true, tz: NY });
    try {
      const other = (await f.h.core.users.createUser({ name: 'bob' })).user.id;
      const c = await f.h.core.follow.create({ userId: other, kind: 'counter', targetWalletAddress: '0x4444444444444444444444444444444444444444', dailyStopLoss: d('5') });
      g.h.advance(f.h.now().getTime() - g.h.now().getTime()); // one clock for both processes
      const now = f.h.now();
      const today = dayStart(now, NY);
      await f.prisma.counterTradeConfig.update({
        where: { id: c.id },
        data: { dailyResetAt: new Date(today.getTime() - 24 * 3600_000), pausedUntil: nextDayStart(now, NY), pauseReason: 'daily stop-loss', dailyPnl: '-7', dailyTradeCount: 3 },
      });
      // Both processes' cron passes decide the occurrence is due and each sends a job; both workers run it.
      await Promise.all([f.boss!.send(FOLLOW_RESET_QUEUE, {}), g.boss!.send(FOLLOW_RESET_QUEUE, {}), f.boss!.send(FOLLOW_RESET_QUEUE, {})]);
      const row = await until(() => f.prisma.counterTradeConfig.findUniqueOrThrow({ where: { id: c.id } }), (r) => r.dailyTradeCount === 0);
      expect(row).toMatchObject({ dailyTradeCount: 0, pausedUntil: null, pauseReason: null });
      expect(row.dailyResetAt!.toISOString()).toBe(today.toISOString());
      // Let the other jobs run too (their reset finds nothing due).
      await sleep(1_500);
      expect(await followTexts(f.prisma, other, 'follow_resumed')).toHaveLength(1);
    } finally {
      await g.stop();
    }
  });
});

describe('FollowRisk.resetDay across a DST change (injected clock)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('resets at 05:00Z before spring forward and at 04:00Z after it, once each', async () => {
    const { user } = await db.prisma.user.create({ data: { name: 'dst' } }).then((u) => ({ user: u }));
    let now = new Date('2027-03-13T12:00:00Z');
    const risk = new FollowRisk({ prisma: db.prisma, jobs: { async send() {} }, adapters: new Map(), directory: { listing: () => undefined } as never, tz: NY, clock: () => now });
    const c = await db.prisma.counterTradeConfig.create({
      data: { userId: user.id, targetWalletAddress: '0x5555555555555555555555555555555555555555', dailyResetAt: new Date('2027-03-13T05:00:00Z'), dailyTradeCount: 2 },
    });
    const resets: string[] = [];
    for (const t of ['2027-03-14T04:59:59Z', '2027-03-14T05:00:00Z', '2027-03-14T05:00:01Z', '2027-03-15T03:59:59Z', '2027-03-15T04:00:00Z', '2027-03-15T04:30:00Z']) {
      now = new Date(t);
      await db.prisma.counterTradeConfig.update({ where: { id: c.id }, data: { dailyTradeCount: 2 } });
      const [a, b] = await Promise.all([risk.resetDay(), risk.resetDay()]);
      if (a + b > 0) resets.push(`${t}:${a + b}`);
    }
    expect(resets).toEqual(['2027-03-14T05:00:00Z:1', '2027-03-15T04:00:00Z:1']);
  });
});
