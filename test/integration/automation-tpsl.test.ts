/**
 * Take-profit / stop-loss against real Postgres and the real core: fire on the bid, sell what is
 * actually sellable (venue holdings below our position, venue minimums), partial exits retried at the
 * new bid, levels cleared after one exit, disarming by a user sell and by a closed market, recovery of
 * an exit interrupted by a restart, and two monitor processes claiming each exit once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../core/money.ts';
import { TradingError } from '../../core/trading/types.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { automationTexts, d, lv, newFeed, poly, splitFiredNotice, startHarness, type Harness } from './automation-harness.ts';

const APPLE = 'apple-foldable-2026'; // Polymarket only, tick 0.01, minimum 5 shares
const NVDA = 'nvidia-largest-2026'; // Polymarket only

describe('take-profit and stop-loss', () => {
  let db: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    db = await createTestDatabase();
    h = await startHarness(db);
  });
  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const book = (market: string, bids: [string, string][], asks: [string, string][] = [['0.99', '10000']]) => {
    const [venue, id] = poly(market);
    h.feed.setBook(venue, id, { bids: bids.map(([p, s]) => lv(p, s)), asks: asks.map(([p, s]) => lv(p, s)) });
  };

  /** A user holding `shares` YES of `market`, bought at 0.50 (the book is reset to bid 0.48 / ask 0.50). */
  async function holder(name: string, shares: string, market = APPLE) {
    const { user } = await h.core.users.createUser({ name });
    book(market, [['0.48', '10000']], [['0.50', '10000']]);
    await h.settle();
    await h.core.trading.placeOrder({ userId: user.id, marketId: market, side: 'yes', action: 'buy', type: 'limit', quantity: d(shares), price: d('0.50'), source: 'manual' });
    const position = await h.prisma.position.findFirstOrThrow({ where: { userId: user.id, marketId: market, side: 'yes' } });
    return { userId: user.id, positionId: position.id };
  }
  const position = (id: string) => h.prisma.position.findUniqueOrThrow({ where: { id } });
  const exitOrders = (userId: string) => h.prisma.order.findMany({ where: { userId, action: 'sell' }, orderBy: { createdAt: 'asc' }, include: { fills: true } });

  it('take-profit: sells the whole position when the bid reaches the level, once; then the levels clear', async () => {
    const { userId, positionId } = await holder('tp', '100');
    const set = await h.core.automation.setTpsl({ userId, positionId, takeProfitPrice: d('0.60'), stopLossPrice: d('0.40') });
    expect(set.takeProfitPrice!.toFixed()).toBe('0.6');
    book(APPLE, [['0.59', '10000']]);
    await h.settle();
    expect(await exitOrders(userId)).toHaveLength(0);
    book(APPLE, [['0.61', '10000']]);
    book(APPLE, [['0.62', '10000']]); // a second update while the first exit runs
    await h.settle();
    const orders = await exitOrders(userId);
    expect(orders).toHaveLength(1);
    const o = orders[0]!;
    expect(o.source).toBe('take-profit');
    expect(o.timeInForce).toBe('FAK');
    expect(dec(o.quantity).toFixed()).toBe('100');
    expect(dec(o.filledQuantity).toFixed()).toBe('100');
    // Worst price: the bid at the attempt × (1 − 0.05), rounded up to the tick for a sell.
    expect(['0.58', '0.59']).toContain(dec(o.price).toFixed());
    const p = await position(positionId);
    expect(dec(p.quantity).toFixed()).toBe('0');
    expect(p.takeProfitPrice).toBeNull();
    expect(p.stopLossPrice).toBeNull();
    expect(p.exitKind).toBeNull();
    // One message (a separate "fired" one first only when the exit took over 250 ms; see splitFiredNotice).
    const { fired, rest: texts } = splitFiredNotice(h, await automationTexts(h.prisma, userId), { firedEvent: 'tpsl_fired', id: positionId });
    expect(texts.map((t) => t.event)).toEqual(['tpsl_done']);
    if (fired) expect(fired.text).toMatch(/^Take-profit hit on ".*": YES bid 6[12]¢ ≥ your 60¢\. Selling your 100\.00 YES shares at no worse than/);
    expect(texts[0]!.text).toMatch(fired ? /^Take-profit on ".*" done: sold 100\.00 YES @ 6[12]¢ on average for \$6[12]\.00 in 1 order\. Your TP\/SL levels on it are cleared\.$/ : /^Take-profit hit on ".*" \(YES bid 6[12]¢ ≥ your 60¢\): sold 100\.00 YES @ 6[12]¢ on average for \$6[12]\.00 in 1 order\. Your TP\/SL levels on it are cleared\.$/);
  });

  it('stop-loss: sells when the bid falls to the level', async () => {
    const { userId, positionId } = await holder('sl', '40');
    await h.core.automation.setTpsl({ userId, positionId, stopLossPrice: d('0.35') });
    book(APPLE, [['0.36', '10000']]);
    await h.settle();
    expect(await exitOrders(userId)).toHaveLength(0);
    book(APPLE, [['0.34', '10000']]);
    await h.settle();
    const [o] = await exitOrders(userId);
    expect(o!.source).toBe('stop-loss');
    expect(dec(o!.filledQuantity).toFixed()).toBe('40');
    expect(dec(o!.price).toFixed()).toBe('0.33'); // 0.34 × 0.95 = 0.323 → up to 0.33
    expect((await position(positionId)).stopLossPrice).toBeNull();
  });

  it('a partial exit retries the remainder at the new bid', async () => {
    const { userId, positionId } = await holder('partial', '100');
    await h.core.automation.setTpsl({ userId, positionId, takeProfitPrice: d('0.60') });
    // 30 shares bid at 0.61; the next bid (0.55) is below the first attempt's guard (0.58).
    book(APPLE, [['0.61', '30'], ['0.55', '1000']]);
    await h.settle();
    const orders = await exitOrders(userId);
    expect(orders.map((o) => dec(o.filledQuantity).toFixed())).toEqual(['30', '70']);
    expect(orders.map((o) => o.fills.map((f) => dec(f.price).toFixed()))).toEqual([['0.61'], ['0.55']]);
    expect(orders.map((o) => o.idempotencyKey!.split(':').at(-1))).toEqual(['1', '2']);
    expect(dec((await position(positionId)).quantity).toFixed()).toBe('0');
    const done = (await automationTexts(h.prisma, userId)).find((t) => t.event === 'tpsl_done');
    expect(done!.text).toContain('sold 100.00 YES');
    expect(done!.text).toContain('in 2 orders');
  });

  it('sells what the venue says is sellable (fees taken in shares), not more', async () => {
    const { userId, positionId } = await holder('fees-in-shares', '10');
    const [, vmid] = poly(APPLE);
    await h.prisma.paperHolding.updateMany({ where: { accountId: userId, venueMarketId: vmid, side: 'yes' }, data: { quantity: '8.5' } });
    await h.core.automation.setTpsl({ userId, positionId, stopLossPrice: d('0.40') });
    book(APPLE, [['0.39', '10000']]);
    await h.settle();
    const [o] = await exitOrders(userId);
    expect(dec(o!.quantity).toFixed()).toBe('8.5');
    expect(dec(o!.filledQuantity).toFixed()).toBe('8.5');
    const done = (await automationTexts(h.prisma, userId)).find((t) => t.event === 'tpsl_done');
    expect(done!.text).toContain('1.50 YES shares are left');
  });

  it('below the venue minimum: nothing is sent, the owner is told and the levels are disarmed', async () => {
    const { userId, positionId } = await holder('tiny', '10');
    const [, vmid] = poly(APPLE);
    await h.prisma.paperHolding.updateMany({ where: { accountId: userId, venueMarketId: vmid, side: 'yes' }, data: { quantity: '4' } });
    await h.core.automation.setTpsl({ userId, positionId, stopLossPrice: d('0.40') });
    book(APPLE, [['0.39', '10000']]);
    await h.settle();
    expect(await exitOrders(userId)).toHaveLength(0);
    const p = await position(positionId);
    expect(p.stopLossPrice).toBeNull();
    expect(p.exitKind).toBeNull();
    const failed = (await automationTexts(h.prisma, userId)).find((t) => t.event === 'tpsl_failed');
    expect(failed!.text).toContain("4.00 YES shares can be sold, below polymarket's minimum of 5");
  });

  it('a user sell that closes the position disarms it', async () => {
    const { userId, positionId } = await holder('user-sells', '20');
    await h.core.automation.setTpsl({ userId, positionId, takeProfitPrice: d('0.60') });
    await h.core.trading.placeOrder({ userId, marketId: APPLE, side: 'yes', action: 'sell', type: 'market', quantity: d('20'), source: 'manual' });
    const p = await position(positionId);
    expect(dec(p.quantity).toFixed()).toBe('0');
    expect(p.takeProfitPrice).toBeNull();
    book(APPLE, [['0.65', '10000']]);
    await h.settle();
    expect(await exitOrders(userId)).toHaveLength(1); // only the user's own sell
  });

  it('a market that is no longer open disarms TP/SL (and expires its snipers)', async () => {
    const { userId, positionId } = await holder('closed', '20', NVDA);
    await h.core.automation.setTpsl({ userId, positionId, takeProfitPrice: d('0.90') });
    const s = await h.core.automation.createSniper({ userId, marketId: NVDA, side: 'yes', triggerPrice: d('0.20'), amount: d('5') });
    await h.prisma.market.update({ where: { id: NVDA }, data: { status: 'resolved' } });
    try {
      const r = await h.monitors.sweep();
      expect(r.closed).toBe(2);
      expect((await position(positionId)).takeProfitPrice).toBeNull();
      expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('EXPIRED');
      const texts = await automationTexts(h.prisma, userId);
      expect(texts.map((t) => t.event).sort()).toEqual(['sniper_expired', 'tpsl_failed']);
      expect(texts.find((t) => t.event === 'tpsl_failed')!.text).toContain('the market is no longer open');
    } finally {
      await h.prisma.market.update({ where: { id: NVDA }, data: { status: 'open' } });
    }
  });

  describe('restart in the middle of an exit', () => {
    it('a claim with no order placed yet: recovery sells exactly once', async () => {
      const { userId, positionId } = await holder('recover-tpsl', '25');
      book(APPLE, [['0.30', '10000']]);
      await h.settle();
      const old = new Date(Date.now() - 60_000);
      await h.prisma.position.update({ where: { id: positionId }, data: { stopLossPrice: '0.35', exitKind: 'stop-loss', exitClaimedAt: old, exitAttempts: 0, updatedAt: old } });
      const before = h.placed.length;
      expect(await h.monitors.tpsl.recoverStuck(15_000)).toBe(1);
      expect(await h.monitors.tpsl.recoverStuck(15_000)).toBe(0);
      expect(h.placed.length).toBe(before + 1);
      const orders = await exitOrders(userId);
      expect(orders.map((o) => o.idempotencyKey)).toEqual([`tpsl:${positionId}:${old.getTime()}:1`]);
      const p = await position(positionId);
      expect(dec(p.quantity).toFixed()).toBe('0');
      expect(p.exitKind).toBeNull();
      expect(p.stopLossPrice).toBeNull();
    });

    it('a claim whose attempt order was already placed: recovery does not place it again', async () => {
      const { userId, positionId } = await holder('recover-tpsl-placed', '25');
      book(APPLE, [['0.30', '10000']]);
      await h.settle();
      const old = new Date(Date.now() - 60_000);
      await h.prisma.position.update({ where: { id: positionId }, data: { stopLossPrice: '0.35', exitKind: 'stop-loss', exitClaimedAt: old, exitAttempts: 1 } });
      await h.core.trading.placeOrder({
        userId,
        marketId: APPLE,
        side: 'yes',
        action: 'sell',
        type: 'market',
        quantity: d('25'),
        price: d('0.285'),
        timeInForce: 'FAK',
        exchange: 'polymarket',
        source: 'stop-loss',
        idempotencyKey: `tpsl:${positionId}:${old.getTime()}:1`,
      });
      await h.prisma.position.update({ where: { id: positionId }, data: { updatedAt: old } });
      const before = h.placed.length;
      expect(await h.monitors.tpsl.recoverStuck(15_000)).toBe(1);
      expect(h.placed.length).toBe(before);
      expect(await exitOrders(userId)).toHaveLength(1);
      const p = await position(positionId);
      expect(p.exitKind).toBeNull();
      expect(p.stopLossPrice).toBeNull();
      expect(splitFiredNotice(h, await automationTexts(h.prisma, userId), { firedEvent: 'tpsl_fired', id: positionId }).rest.map((t) => t.event)).toEqual(['tpsl_done']);
    });
  });

  describe('setTpsl input', () => {
    it('rejects bad levels, foreign and unknown positions; changes nothing', async () => {
      const { userId, positionId } = await holder('inputs', '10');
      const { user: other } = await h.core.users.createUser({ name: 'someone else' });
      await h.core.automation.setTpsl({ userId, positionId, takeProfitPrice: d('0.70'), stopLossPrice: d('0.30') });
      const snapshot = async () => {
        const p = await position(positionId);
        return [p.takeProfitPrice?.toString() ?? null, p.stopLossPrice?.toString() ?? null, p.tpslPaused];
      };
      const before = await snapshot();
      const cases: [string, Parameters<typeof h.core.automation.setTpsl>[0], string, string][] = [
        ['TP above 1', { userId, positionId, takeProfitPrice: d('1.2') }, 'invalid_input', 'takeProfitPrice must be between 0 and 1'],
        ['TP of 1', { userId, positionId, takeProfitPrice: d('1') }, 'invalid_input', 'takeProfitPrice must be between 0 and 1'],
        ['SL of 0', { userId, positionId, stopLossPrice: d('0') }, 'invalid_input', 'stopLossPrice must be between 0 and 1'],
        ['negative SL', { userId, positionId, stopLossPrice: d('-0.2') }, 'invalid_input', 'stopLossPrice must be between 0 and 1'],
        ['7 decimals', { userId, positionId, stopLossPrice: d('0.1234567') }, 'invalid_input', 'more than 6 decimal places'],
        ['not a Decimal', { userId, positionId, takeProfitPrice: 0.7 as unknown as Decimal }, 'invalid_input', 'takeProfitPrice must be a price'],
        ['nothing given', { userId, positionId }, 'invalid_input', 'Give takeProfitPrice and/or stopLossPrice'],
        ['TP at or below the bid', { userId, positionId, takeProfitPrice: d('0.48') }, 'invalid_input', 'would sell right away: the YES bid is 48¢'],
        ['SL at or above the bid', { userId, positionId, stopLossPrice: d('0.50') }, 'invalid_input', 'would sell right away'],
        ['TP below the SL', { userId, positionId, takeProfitPrice: d('0.60'), stopLossPrice: d('0.65') }, 'invalid_input', 'must be above the stop-loss'],
        ['SL above the existing TP', { userId, positionId, stopLossPrice: d('0.75') }, 'invalid_input', 'must be above the stop-loss'],
        ["someone else's position", { userId: other.id, positionId, takeProfitPrice: d('0.8') }, 'no_position', 'No position'],
        ['unknown position', { userId, positionId: '00000000-0000-4000-8000-000000000000', takeProfitPrice: d('0.8') }, 'no_position', 'No position'],
        ['not an id', { userId, positionId: 'apple', takeProfitPrice: d('0.8') }, 'no_position', 'is not a position id'],
      ];
      for (const [name, input, code, message] of cases) {
        const err = await h.core.automation.setTpsl(input).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(TradingError);
        expect((err as TradingError).code, name).toBe(code);
        expect((err as TradingError).message, name).toContain(message);
      }
      expect(await snapshot()).toEqual(before);
      // null clears one level; undefined leaves the other.
      const cleared = await h.core.automation.setTpsl({ userId, positionId, stopLossPrice: null });
      expect(cleared.stopLossPrice).toBeNull();
      expect(cleared.takeProfitPrice!.toFixed()).toBe('0.7');
    });
  });
});

describe('two monitor processes, one database: each exit is claimed once', () => {
  let db: TestDatabase;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    db = await createTestDatabase();
    const feed = newFeed();
    a = await startHarness(db, { feed });
    b = await startHarness(db, { feed });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it('ten positions, duplicate updates, both processes: one exit order each', async () => {
    const [venue, vmid] = poly(APPLE);
    a.feed.setBook(venue, vmid, { bids: [lv('0.48', '100000')], asks: [lv('0.50', '100000')] });
    await Promise.all([a.settle(), b.settle()]);
    const users: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { user } = await a.core.users.createUser({ name: `holder-${i}` });
      await a.core.trading.placeOrder({ userId: user.id, marketId: APPLE, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.50'), source: 'manual' });
      const p = await a.prisma.position.findFirstOrThrow({ where: { userId: user.id } });
      await (i % 2 ? a : b).core.automation.setTpsl({ userId: user.id, positionId: p.id, takeProfitPrice: d('0.60'), stopLossPrice: d('0.40') });
      users.push(user.id);
    }
    for (let i = 0; i < 3; i++) a.feed.setBook(venue, vmid, { bids: [lv('0.62', '100000')], asks: [lv('0.64', '100000')] });
    await Promise.all([a.settle(), b.settle()]);
    for (const userId of users) {
      const sells = await a.prisma.order.findMany({ where: { userId, action: 'sell' } });
      expect(sells).toHaveLength(1);
      expect(sells[0]!.source).toBe('take-profit');
    }
  });
});
