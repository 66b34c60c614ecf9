/**
 * The follow engine against real Postgres, the paper venues and a fake data API over real HTTP:
 * a target's trades (with duplicates, shuffled pages, failing requests and restarts) give exactly
 * one order per trade per follow; counter-trades take the opposite outcome and exit it when the
 * target sells; copy-trades mirror; catalog, categories, caps, minimums and the order's links.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeDataApi, type FakeDataApi } from '../fakes/polymarket/data-api.ts';
import { WALLET, WALLET2, followTexts, setPolyBook, startFollowHarness, token, type FollowHarness } from './follow-harness.ts';

const APPLE = 'apple-foldable-2026'; // tech, Polymarket only, minimum 5 shares
const HOUSE = 'house-dem-2026'; // politics, Polymarket and Kalshi
const d = (s: string) => new Decimal(s);

describe('following a wallet', () => {
  let db: TestDatabase;
  let api: FakeDataApi;
  let f: FollowHarness;
  let n = 0;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startFakeDataApi();
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    f = await startFollowHarness(db, api);
    setPolyBook(f.h, APPLE, '0.48', '0.50');
    setPolyBook(f.h, HOUSE, '0.70', '0.72');
    userId = (await f.h.core.users.createUser({ name: `u${++n}` })).user.id;
    Object.assign(api.faults, { duplicate: false, shuffle: false, stalePage: false, delayMs: 0, failNext: 0, malformedNext: 0 });
  });
  afterEach(async () => {
    await f?.stop();
  });

  const wallet = () => `0x${n.toString(16).padStart(40, 'a')}`;
  const orders = (id: string) => f.prisma.order.findMany({ where: { OR: [{ counterTradeId: id }, { copyTradeSubId: id }] }, orderBy: { createdAt: 'asc' } });

  it('counter: a target buy of YES buys NO (size × multiplier), once, through the adapter, with one message', async () => {
    const w = wallet();
    const c = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w, sizeMultiplier: d('0.5') });
    await f.poll(); // first poll: nothing yet
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 100, price: 0.5, title: 'Apple foldable?' });
    await f.poll();
    const placed = await orders(c.id);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ side: 'no', action: 'buy', source: 'counter-trade', counterTradeId: c.id, exchange: 'polymarket' });
    expect(new Decimal(placed[0]!.quantity.toString()).toFixed()).toBe('50');
    expect(placed[0]!.idempotencyKey).toMatch(/^follow:/);
    expect(f.h.placed.filter((r) => r.outcome === 'no')).toHaveLength(1);
    const texts = await followTexts(f.prisma, userId);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^Counter-trade [0-9a-f]{8}: 0x\w{4}…\w{4} bought 100 Yes @ 50¢ of "Apple foldable\?" → you bought 50 NO @ /);
    const view = await f.h.core.follow.get({ userId, id: c.id });
    expect(view.orderIds).toEqual([placed[0]!.id]);
    expect(view.dailyTradeCount).toBe(1);
    // Polled again with nothing new: nothing more.
    await f.poll();
    expect(await orders(c.id)).toHaveLength(1);
  });

  it('duplicates, shuffled pages, failed requests and a restart: exactly one order per target trade per follow', async () => {
    const w = wallet();
    const counter = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w });
    const copy = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: w });
    await f.poll();
    api.faults.duplicate = true;
    api.faults.shuffle = true;
    // 25 trades over three pages of 10 (the harness reads pages of 10).
    for (let i = 0; i < 25; i++) api.addTrade(w, { side: 'BUY', asset: token(APPLE, i % 2 ? 'yes' : 'no'), size: 10 + i, price: 0.5 });
    await f.poll();
    api.faults.failNext = 1;
    await f.poll(); // fails: nothing changes, next cycle retries
    await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
    await f.poll();
    // A restart: a new process on the same database, a stale page served first.
    await f.stop();
    f = await startFollowHarness(db, api);
    setPolyBook(f.h, APPLE, '0.48', '0.50');
    api.faults.stalePage = true;
    await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
    await f.poll();
    await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
    await f.poll();
    expect(await f.prisma.walletTrade.count({ where: { walletAddress: w } })).toBe(25);
    expect(await orders(counter.id)).toHaveLength(25);
    expect(await orders(copy.id)).toHaveLength(25);
    expect(await f.prisma.followExecution.count({ where: { configId: { in: [counter.id, copy.id] } } })).toBe(50);
    expect((await followTexts(f.prisma, userId)).length).toBe(50);
    // Copy buys the same outcome as the target, counter the other.
    const firstTrade = await f.prisma.walletTrade.findFirst({ where: { walletAddress: w, size: 10 } });
    const exes = await f.prisma.followExecution.findMany({ where: { walletTradeId: firstTrade!.id } });
    const sides = await Promise.all(exes.map(async (e) => ({ kind: e.kind, side: (await f.prisma.order.findUnique({ where: { id: e.orderId! } }))!.side })));
    expect(sides.sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: 'copy', side: 'no' },
      { kind: 'counter', side: 'yes' },
    ]);
  });

  it('two processes polling the same wallet at once: one poll per interval, one order per trade', async () => {
    const w = wallet();
    const c = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w });
    await f.poll();
    const g = await startFollowHarness(db, api);
    g.h.advance(f.h.now().getTime() - g.h.now().getTime()); // one clock, as two processes on one host
    try {
      for (let i = 0; i < 5; i++) api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 10, price: 0.5 + i / 100 });
      await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
      const mine = () => api.requests.filter((r) => r.user === w).length;
      const before = mine();
      await Promise.all([f.poll({ advance: false }), g.poll({ advance: false }), f.poll({ advance: false }), g.poll({ advance: false })]);
      expect(mine() - before).toBe(1);
      await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
      await Promise.all([f.poll(), g.poll()]);
      await g.engine.idle();
      expect(await orders(c.id)).toHaveLength(5);
    } finally {
      await g.stop();
    }
  });

  it('counter: a target sell exits the counter position (never more than it bought); copy sells what it copied', async () => {
    const w = wallet();
    const c = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w });
    await f.poll();
    api.addTrade(w, { side: 'SELL', asset: token(APPLE, 'yes'), size: 20, price: 0.5 });
    await f.poll();
    expect(await orders(c.id)).toHaveLength(0);
    expect((await followTexts(f.prisma, userId)).at(-1)).toMatch(/nothing placed: this counter-trade holds no NO shares/);
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 30, price: 0.5 });
    await f.poll();
    api.addTrade(w, { side: 'SELL', asset: token(APPLE, 'yes'), size: 50, price: 0.49 });
    await f.poll();
    const placed = await orders(c.id);
    expect(placed.map((o) => [o.action, o.side, o.quantity.toString()])).toEqual([
      ['buy', 'no', '30'],
      ['sell', 'no', '30'],
    ]);
    expect((await followTexts(f.prisma, userId)).at(-1)).toMatch(/sold 50 Yes .* → you sold 30 NO/);
  });

  it('skips with a visible reason: not in our catalog, outside the categories, below the minimum, capped by max', async () => {
    const w = wallet();
    const wMin = w.replace(/.$/, 'b');
    const wCap = w.replace(/.$/, 'c');
    const c = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w, categories: ['Politics'], maxTradeSize: d('10') });
    const small = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: wMin, sizeMultiplier: d('0.1') });
    // HOUSE is listed on Kalshi too, cheaper there: the SmartRouter sends our buy to Kalshi.
    f.h.feed.setBook('kalshi', 'KXHOUSECTRL-26NOV-D', { bids: [{ price: d('0.58'), size: d('10000') }], asks: [{ price: d('0.60'), size: d('10000') }] });
    const capped = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: wCap, maxTradeSize: d('1') });
    expect(c.categories).toEqual(['politics']);
    await f.poll();
    const t = Math.floor(Date.now() / 1000);
    api.addTrade(w, { side: 'BUY', asset: '123456789', size: 100, price: 0.5, title: 'Some market we do not list' });
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 100, price: 0.5, timestamp: t + 1, title: 'Apple' });
    api.addTrade(w, { side: 'BUY', asset: token(HOUSE, 'no'), size: 100, price: 0.3, timestamp: t + 2, outcome: 'No', title: 'House' });
    api.addTrade(wMin, { side: 'BUY', asset: token(APPLE, 'yes'), size: 30, price: 0.5, title: 'Apple small' });
    api.addTrade(wCap, { side: 'BUY', asset: token(APPLE, 'yes'), size: 30, price: 0.5, title: 'Apple capped' });
    await f.poll();
    const texts = (await followTexts(f.prisma, userId)).join('\n');
    expect(texts).toMatch(/"Some market we do not list" → nothing placed: that market is not in the yesno catalog/);
    expect(texts).toMatch(/"Apple" → nothing placed: "Will Apple announce a foldable iPhone in 2026\?" is in tech, not in this follow's categories \(politics\)/);
    expect(texts).toMatch(/"Apple small" → nothing placed: 30 × 0.1 = 3 shares is below the venue minimum of 5 shares/);
    expect(texts).toMatch(/"Apple capped" → nothing placed: your max of \$1.00 per trade buys only 1.9 shares at up to 0.5, below the venue minimum of 5 shares/);
    // Target bought 100 NO of HOUSE → we buy YES, capped so that shares × worst price ≤ $10; whole shares (Kalshi lists it too).
    // $10 / (0.60 × 1.05) = 15.87 → 15 whole contracts (Kalshi lists it: whole shares).
    expect(texts).toMatch(/bought 100 No @ 30¢ of "House" → you bought 15 YES @ 60¢ on kalshi/);
    const placed = await orders(c.id);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ side: 'yes', exchange: 'kalshi', source: 'counter-trade', counterTradeId: c.id });
    expect((placed[0]!.routing as { reason: string }).reason).toMatch(/kalshi/);
    const q = new Decimal(placed[0]!.quantity.toString());
    expect(q.isInteger()).toBe(true);
    expect(await orders(small.id)).toHaveLength(0);
    expect(await orders(capped.id)).toHaveLength(0);
    const exes = await f.prisma.followExecution.findMany({ where: { configId: c.id } });
    expect(exes.map((e) => e.status).sort()).toEqual(['placed', 'skipped', 'skipped']);
    expect(exes.find((e) => e.status === 'placed')!.orderId).toBe(placed[0]!.id);
  });

  it('stop and pause: a stopped or paused follow places nothing; resume picks up new trades only', async () => {
    const w = wallet();
    const c = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: w });
    await f.poll();
    await f.h.core.follow.update({ userId, kind: 'copy', id: c.id, enabled: false });
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 10, price: 0.5 });
    await f.poll();
    expect(await orders(c.id)).toHaveLength(0);
    await f.h.core.follow.update({ userId, kind: 'copy', id: c.id, enabled: true });
    await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 11, price: 0.5, timestamp: Math.floor(Date.now() / 1000) + 1 });
    await f.poll();
    expect((await orders(c.id)).map((o) => o.quantity.toString())).toEqual(['11']);
    await f.h.core.follow.stop({ userId, id: c.id });
    await f.prisma.followedWallet.update({ where: { address: w }, data: { lastPolledAt: null } });
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 12, price: 0.5, timestamp: Math.floor(Date.now() / 1000) + 2 });
    await f.poll();
    expect(await orders(c.id)).toHaveLength(1);
  });

  it('recovery after a crash: a claim left executing (its order already placed) finishes with that order, never a second', async () => {
    const w = wallet();
    const c = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: w });
    await f.poll();
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 10, price: 0.5 });
    // The process dies after its claim and after the venue took the order, before recording either.
    const drive = f.engine.executor.drive.bind(f.engine.executor);
    f.engine.executor.drive = async () => 'pending';
    await f.poll();
    f.engine.executor.drive = drive;
    const exe = await f.prisma.followExecution.findFirstOrThrow({ where: { configId: c.id } });
    expect(exe.status).toBe('executing'); // inserted claimed by the process that saw the trade
    await f.prisma.followExecution.update({ where: { id: exe.id }, data: { status: 'executing', updatedAt: new Date(Date.now() - 60_000) } });
    await f.h.core.trading.placeOrder({ userId, marketId: APPLE, side: 'yes', action: 'buy', type: 'market', quantity: new Decimal(10), timeInForce: 'FAK', source: 'copy-trade', copyTradeSubId: c.id, idempotencyKey: `follow:${exe.id}` });
    const r = await f.engine.sweep();
    expect(r.recovered).toBeGreaterThanOrEqual(1); // (and anything an earlier test left unfinished)
    const after = await f.prisma.followExecution.findUniqueOrThrow({ where: { id: exe.id } });
    expect(after.status).toBe('placed');
    const placed = await orders(c.id);
    expect(placed).toHaveLength(1);
    expect(after.orderId).toBe(placed[0]!.id);
    expect(await followTexts(f.prisma, userId)).toHaveLength(1);
    // Swept again: nothing new.
    await f.engine.sweep();
    expect(await orders(c.id)).toHaveLength(1);
  });

  it('a trade made between the start of a follow and its first poll is followed', async () => {
    const w = wallet();
    const c = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: w });
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 10, price: 0.5, timestamp: Math.floor(Date.now() / 1000) + 1 });
    await f.poll(); // the wallet's first poll
    expect((await orders(c.id)).map((o) => [o.side, o.quantity.toString()])).toEqual([['yes', '10']]);
  });

  it('the target trades made before the follow started are not followed; many follows of one wallet share one poll', async () => {
    const w = WALLET;
    api.addTrade(w, { side: 'BUY', asset: token(APPLE, 'yes'), size: 40, price: 0.5, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const a = await f.h.core.follow.create({ userId, kind: 'counter', targetWalletAddress: w });
    const b = await f.h.core.follow.create({ userId, kind: 'copy', targetWalletAddress: w.toUpperCase().replace('0X', '0x') });
    expect(b.targetWalletAddress).toBe(w);
    const before = api.requests.filter((r) => r.user === w).length;
    await f.poll();
    expect(api.requests.filter((r) => r.user === w).length - before).toBe(1);
    expect(api.requests.at(-1)!.takerOnly).toBe('false');
    expect(await orders(a.id)).toHaveLength(0);
    expect(await orders(b.id)).toHaveLength(0);
    expect(await f.prisma.followedWallet.count({ where: { address: { in: [w, WALLET2] } } })).toBe(1);
  });
});
