/**
 * Sniper orders against real Postgres and the real core: firing on the ask, exactly one order per
 * arming through oscillating, duplicate and out-of-order price updates and with two monitor
 * processes on one database; repeat re-arming; the slippage cap and tick rounding of the order's
 * price; expiry; recovery of a claim whose order was never placed (or was placed) before a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { automationTexts, d, lv, newFeed, poly, splitFiredNotice, startHarness, type Harness } from './automation-harness.ts';

const APPLE = 'apple-foldable-2026'; // Polymarket only, tick 0.01, minimum 5 shares
const ETH = 'eth-5k-2026'; // Polymarket only, tick 0.001
const FED = 'fed-cut-dec-2026'; // Polymarket and Kalshi

describe('snipers', () => {
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

  const ask = (market: string, price: string, size = '1000') => {
    const [venue, id] = poly(market);
    const p = d(price);
    h.feed.setBook(venue, id, { bids: [lv(p.sub('0.02').toFixed(), '1000')], asks: [lv(price, size)] });
  };
  const user = async (name: string) => (await h.core.users.createUser({ name })).user.id;
  const ordersOf = (sniperId: string) => h.prisma.order.findMany({ where: { sniperId }, orderBy: { createdAt: 'asc' } });

  it('fires once when the ask reaches the trigger: a FAK buy at no worse than trigger × (1 + slippage) on the tick', async () => {
    const userId = await user('first');
    ask(APPLE, '0.45');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('10') });
    await h.settle();
    expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('WATCHING');

    ask(APPLE, '0.41');
    await h.settle();
    const after = await h.core.automation.getSniper({ userId, sniperId: s.id });
    expect(after.status).toBe('FILLED');
    expect(after.fireCount).toBe(1);
    const orders = await ordersOf(s.id);
    expect(orders).toHaveLength(1);
    expect(after.orderIds).toEqual([orders[0]!.id]);
    const o = orders[0]!;
    expect(o.source).toBe('sniper');
    expect(o.timeInForce).toBe('FAK');
    expect(o.idempotencyKey).toBe(`sniper:${s.id}:1`);
    expect(new Decimal(o.price.toString()).toFixed()).toBe('0.42'); // 0.42 × 1.02 = 0.4284 → down to the tick
    expect(o.status).toBe('filled');
    // One message: the fire and its outcome (a separate "fired" message only when the drive took over
    // 250 ms: a slow venue, or this machine under load; splitFiredNotice checks which it was).
    const { fired, rest } = splitFiredNotice(h, await automationTexts(h.prisma, userId), { firedEvent: 'sniper_fired', id: s.id });
    expect(rest.map((t) => t.event)).toEqual(['sniper_filled']);
    if (fired) {
      expect(fired.text).toMatch(/^Sniper [0-9a-f]{8} fired on "Will Apple announce a foldable iPhone in 2026\?": YES ask 41¢ ≤ your trigger 42¢\. Buying \$10\.00 at no worse than 42¢\.$/);
      expect(rest[0]!.text).toMatch(/^Sniper [0-9a-f]{8} on "Will Apple announce a foldable iPhone in 2026\?": bought 24\.39 YES @ 41¢ on polymarket for \$10\.00\.$/);
    } else {
      expect(rest[0]!.text).toMatch(/^Sniper [0-9a-f]{8} fired on "Will Apple announce a foldable iPhone in 2026\?" \(YES ask 41¢ ≤ your trigger 42¢\): bought 24\.39 YES @ 41¢ on polymarket for \$10\.00\.$/);
    }
  });

  it('arming while the ask is already at or below the trigger fires at once', async () => {
    const userId = await user('instant');
    ask(APPLE, '0.40');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('5') });
    await h.settle();
    expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('FILLED');
  });

  it('prices oscillating around the trigger, duplicate and out-of-order updates: one order per arming', async () => {
    const userId = await user('oscillate');
    ask(APPLE, '0.50');
    await h.settle();
    const snipers = await Promise.all(
      ['0.44', '0.45', '0.46'].map((t) => h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d(t), amount: d('5') })),
    );
    const [venue, vmid] = poly(APPLE);
    for (const price of ['0.47', '0.46', '0.47', '0.45', '0.46', '0.44', '0.47', '0.43', '0.48', '0.44']) {
      ask(APPLE, price);
      // The same notice delivered again, and an older one after it (out of order).
      h.monitors.priceSync.onUpdate({ venue, venueMarketId: vmid, timestamp: new Date() });
      h.monitors.priceSync.onUpdate({ venue, venueMarketId: vmid, timestamp: new Date(Date.now() - 60_000) });
    }
    await h.settle();
    for (const s of snipers) {
      expect(await ordersOf(s.id)).toHaveLength(1);
      expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('FILLED');
    }
  });

  it('repeat: no refire while the ask stays in the zone; re-arms above the trigger and fires again on re-entry', async () => {
    const userId = await user('repeat');
    ask(APPLE, '0.50');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('5'), repeat: true });
    const count = async () => (await ordersOf(s.id)).length;

    ask(APPLE, '0.41');
    await h.settle();
    expect(await count()).toBe(1);
    let view = await h.core.automation.getSniper({ userId, sniperId: s.id });
    expect(view.status).toBe('WATCHING');
    for (const price of ['0.40', '0.42', '0.39', '0.41', '0.42']) {
      ask(APPLE, price);
      await h.settle();
    }
    expect(await count()).toBe(1); // still in the zone: disarmed

    ask(APPLE, '0.43'); // leaves the zone: re-armed
    await h.settle();
    expect(await count()).toBe(1);
    ask(APPLE, '0.42'); // re-enters: fires again
    await h.settle();
    expect(await count()).toBe(2);
    ask(APPLE, '0.42');
    await h.settle();
    expect(await count()).toBe(2);
    view = await h.core.automation.getSniper({ userId, sniperId: s.id });
    expect(view.fireCount).toBe(2);
    expect(view.orderIds).toHaveLength(2);
    const filled = (await automationTexts(h.prisma, userId)).filter((t) => t.event === 'sniper_filled');
    expect(filled).toHaveLength(2);
    expect(filled[0]!.text).toContain('re-arms once the YES ask rises back above 42¢');
    await h.core.automation.cancelSniper({ userId, sniperId: s.id });
  });

  it('slippage cap: fills only up to trigger × (1 + slippage), the rest is cancelled (partial → FILLED)', async () => {
    const userId = await user('slippage');
    ask(APPLE, '0.60');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('20'), slippage: d('0.03') });
    const [venue, vmid] = poly(APPLE);
    h.feed.setBook(venue, vmid, { bids: [lv('0.38', '1000')], asks: [lv('0.41', '10'), lv('0.43', '10'), lv('0.44', '1000')] });
    await h.settle();
    const [o] = await ordersOf(s.id);
    expect(new Decimal(o!.price.toString()).toFixed()).toBe('0.43'); // 0.42 × 1.03 = 0.4326 → 0.43
    const fills = await h.prisma.fill.findMany({ where: { orderId: o!.id } });
    expect(fills.map((f) => new Decimal(f.price.toString()).toFixed()).sort()).toEqual(['0.41', '0.43']);
    expect(new Decimal(o!.filledQuantity.toString()).toFixed()).toBe('20');
    // FAK by amount: the venue sized the buy to the 20 shares it could take within the limit ($8.40).
    expect(o!.status).toBe('filled');
    const view = await h.core.automation.getSniper({ userId, sniperId: s.id });
    expect(view.status).toBe('FILLED');
    const filled = (await automationTexts(h.prisma, userId)).find((t) => t.event === 'sniper_filled');
    expect(filled!.text).toContain('$8.40 of $20.00: that is all the book had at or below 43¢');
  });

  it('tick rounding on a 0.001 market: the worst price is rounded down to the venue tick', async () => {
    const userId = await user('tick');
    const [venue, vmid] = poly(ETH);
    h.feed.setBook(venue, vmid, { bids: [lv('0.080', '5000')], asks: [lv('0.090', '5000')] });
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: ETH, side: 'yes', triggerPrice: d('0.085'), amount: d('5') });
    h.feed.setBook(venue, vmid, { bids: [lv('0.080', '5000')], asks: [lv('0.084', '5000')] });
    await h.settle();
    const [o] = await ordersOf(s.id);
    expect(new Decimal(o!.price.toString()).toFixed()).toBe('0.086'); // 0.085 × 1.02 = 0.0867 → 0.086
    expect(o!.status).toBe('filled');
  });

  it('watches the chosen venue only, or the best ask across venues; NO snipers watch the NO ask', async () => {
    const userId = await user('venues');
    const [pv, pid] = poly(FED);
    const kid = 'KXFEDCUT-26DEC';
    h.feed.setBook(pv, pid, { bids: [lv('0.58', '1000')], asks: [lv('0.60', '1000')] });
    h.feed.setBook('kalshi', kid, { bids: [lv('0.58', '1000')], asks: [lv('0.60', '1000')] });
    await h.settle();
    const onKalshi = await h.core.automation.createSniper({ userId, marketId: FED, side: 'yes', triggerPrice: d('0.55'), amount: d('5'), exchange: 'kalshi' });
    const anywhere = await h.core.automation.createSniper({ userId, marketId: FED, side: 'yes', triggerPrice: d('0.55'), amount: d('5') });
    const no = await h.core.automation.createSniper({ userId, marketId: FED, side: 'no', triggerPrice: d('0.35'), amount: d('5'), exchange: 'polymarket' });
    // Polymarket's YES ask drops: the venue-free sniper fires there; the Kalshi-bound one does not.
    h.feed.setBook(pv, pid, { bids: [lv('0.52', '1000')], asks: [lv('0.54', '1000')] });
    await h.settle();
    expect((await ordersOf(anywhere.id)).map((o) => o.exchange)).toEqual(['polymarket']);
    expect(await ordersOf(onKalshi.id)).toHaveLength(0);
    expect(await ordersOf(no.id)).toHaveLength(0); // NO ask = 1 − YES bid = 0.48
    h.feed.setBook('kalshi', kid, { bids: [lv('0.50', '1000')], asks: [lv('0.55', '1000')] });
    await h.settle();
    expect((await ordersOf(onKalshi.id)).map((o) => o.exchange)).toEqual(['kalshi']);
    h.feed.setBook(pv, pid, { bids: [lv('0.66', '1000')], asks: [lv('0.70', '1000')] }); // NO ask 0.34
    await h.settle();
    const [noOrder] = await ordersOf(no.id);
    expect(noOrder!.side).toBe('no');
    expect(noOrder!.exchange).toBe('polymarket');
  });

  it('expiry: WATCHING snipers past expiresAt become EXPIRED, are reported, and never fire after', async () => {
    const userId = await user('expiry');
    ask(APPLE, '0.50');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.30'), amount: d('5'), expiresAt: new Date(h.now().getTime() + 60_000) });
    expect((await h.monitors.sweep()).expired).toBe(0);
    h.advance(61_000);
    try {
      expect((await h.monitors.sweep()).expired).toBe(1);
      expect((await h.monitors.sweep()).expired).toBe(0);
      ask(APPLE, '0.29');
      await h.settle();
    } finally {
      h.advance(-61_000);
    }
    const view = await h.core.automation.getSniper({ userId, sniperId: s.id });
    expect(view.status).toBe('EXPIRED');
    expect(await ordersOf(s.id)).toHaveLength(0);
    const texts = await automationTexts(h.prisma, userId);
    expect(texts.map((t) => t.event)).toEqual(['sniper_expired']);
    expect(texts[0]!.text).toContain('reached its expiry');
  });

  it('a failed buy (nothing to buy within the limit) → FAILED with the reason, owner told', async () => {
    const userId = await user('fails');
    ask(APPLE, '0.50');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('500') });
    await h.prisma.user.update({ where: { id: userId }, data: { maxOrderUsd: '100' } }); // lowered after arming
    ask(APPLE, '0.41');
    await h.settle();
    const view = await h.core.automation.getSniper({ userId, sniperId: s.id });
    expect(view.status).toBe('FAILED');
    expect(view.failureReason).toContain('per-order limit');
    const texts = splitFiredNotice(h, await automationTexts(h.prisma, userId), { firedEvent: 'sniper_fired', id: s.id }).rest;
    expect(texts.map((t) => t.event)).toEqual(['sniper_failed']);
    if (texts[0]!.text.startsWith(`Sniper ${s.id.slice(0, 8)} on`)) return; // told "fired" on its own (a slow drive): no prices here
    expect(texts[0]!.text).toContain('(YES ask 41¢ ≤ your trigger 42¢) failed: This order is worth about $500.00, above your per-order limit of $100.00. Nothing was bought.');
  });

  it('a slow venue: the trader hears "fired" first, then the outcome', async () => {
    const userId = await user('slow');
    ask(APPLE, '0.50');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('5') });
    h.venueDelayMs = 400;
    try {
      ask(APPLE, '0.41');
      await h.settle();
    } finally {
      h.venueDelayMs = 0;
    }
    expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('FILLED');
    const texts = await automationTexts(h.prisma, userId);
    expect(texts.map((t) => t.event)).toEqual(['sniper_fired', 'sniper_filled']);
    expect(texts[0]!.text).toMatch(/fired on ".*": YES ask 41¢ ≤ your trigger 42¢\. Buying \$5\.00 at no worse than 42¢\.$/);
    expect(texts[1]!.text).toMatch(/^Sniper [0-9a-f]{8} on ".*": bought 12\.19 YES @ 41¢ on polymarket/);
  });

  it('while trading is halted nothing is claimed; the first update after the halt fires', async () => {
    const userId = await user('halt');
    ask(APPLE, '0.50');
    await h.settle();
    const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.42'), amount: d('5') });
    await h.core.admin.halt({ actor: 'test' });
    try {
      ask(APPLE, '0.41');
      await h.settle();
      expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('WATCHING');
      expect(await ordersOf(s.id)).toHaveLength(0);
    } finally {
      await h.core.admin.resume({ actor: 'test' });
    }
    ask(APPLE, '0.41');
    await h.settle();
    expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('FILLED');
  });

  describe('restart between claim and order', () => {
    const stuck = async (userId: string, triggerPrice = '0.42') => {
      ask(APPLE, '0.50');
      await h.settle();
      const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d(triggerPrice), amount: d('5') });
      await h.settle();
      const old = new Date(Date.now() - 60_000);
      // What a process that died right after its claim leaves behind.
      await h.prisma.sniperOrder.update({ where: { id: s.id }, data: { status: 'EXECUTING', fireCount: 1, claimedAt: old, updatedAt: old } });
      ask(APPLE, '0.41'); // the price that fired it
      await h.settle();
      return s;
    };

    it('a claim without an order is recovered: exactly one order, then FILLED', async () => {
      const userId = await user('recover');
      const s = await stuck(userId);
      const before = h.placed.length;
      expect(await h.monitors.snipers.recoverStuck(15_000)).toBe(1);
      expect(await h.monitors.snipers.recoverStuck(15_000)).toBe(0);
      expect(h.placed.length).toBe(before + 1);
      const orders = await ordersOf(s.id);
      expect(orders.map((o) => o.idempotencyKey)).toEqual([`sniper:${s.id}:1`]);
      expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('FILLED');
    });

    it('a claim whose order was already placed is finished without placing another', async () => {
      const userId = await user('recover-placed');
      const s = await stuck(userId);
      const placed = await h.core.trading.placeOrder({
        userId,
        marketId: APPLE,
        side: 'yes',
        action: 'buy',
        type: 'market',
        amount: d('5'),
        price: d('0.4284'),
        timeInForce: 'FAK',
        source: 'sniper',
        sniperId: s.id,
        idempotencyKey: `sniper:${s.id}:1`,
      });
      const before = h.placed.length;
      expect(await h.monitors.snipers.recoverStuck(15_000)).toBe(1);
      expect(h.placed.length).toBe(before);
      expect((await ordersOf(s.id)).map((o) => o.id)).toEqual([placed.id]);
      const view = await h.core.automation.getSniper({ userId, sniperId: s.id });
      expect(view.status).toBe('FILLED');
      expect(view.orderIds).toEqual([placed.id]);
    });

    it('a recent claim (still being driven) is left alone', async () => {
      const userId = await user('recent');
      const s = await h.core.automation.createSniper({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.30'), amount: d('5') });
      await h.prisma.sniperOrder.update({ where: { id: s.id }, data: { status: 'EXECUTING', fireCount: 1, claimedAt: new Date(), updatedAt: new Date() } });
      expect(await h.monitors.snipers.recoverStuck(15_000)).toBe(0);
      expect(await ordersOf(s.id)).toHaveLength(0);
      await h.prisma.sniperOrder.update({ where: { id: s.id }, data: { status: 'CANCELLED' } });
    });
  });
});

describe('two monitor processes on one database', () => {
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

  it('both see every update; each arming fires exactly one order', async () => {
    const [venue, vmid] = poly(APPLE);
    const set = (price: string) => a.feed.setBook(venue, vmid, { bids: [lv(d(price).sub('0.02').toFixed(), '5000')], asks: [lv(price, '5000')] });
    set('0.50');
    await Promise.all([a.settle(), b.settle()]);
    const { user } = await a.core.users.createUser({ name: 'both' });
    const oneShot = await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: d((0.4 + i * 0.003).toFixed(3)), amount: d('5') })),
    );
    const repeat = await b.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.44'), amount: d('5'), repeat: true });
    await Promise.all([a.settle(), b.settle()]);
    const evaluations = { a: 0, b: 0 };
    for (const [name, h] of [['a', a], ['b', b]] as const) {
      const evaluate = h.monitors.snipers.evaluate.bind(h.monitors.snipers);
      h.monitors.snipers.evaluate = (p) => {
        evaluations[name]++;
        return evaluate(p);
      };
    }
    // A burst without waiting (both processes race for every claim) ...
    for (const price of ['0.43', '0.41', '0.45', '0.39', '0.47', '0.40']) set(price);
    await Promise.all([a.settle(), b.settle()]);
    // ... then in and out of the zone, each price delivered twice, letting each fire finish.
    for (const price of ['0.46', '0.42', '0.42', '0.39', '0.47', '0.47', '0.38', '0.38']) {
      set(price);
      set(price);
      await Promise.all([a.settle(), b.settle()]);
    }
    for (const s of oneShot) {
      expect(await a.prisma.order.count({ where: { sniperId: s.id } })).toBe(1);
    }
    // Armings of the repeat sniper: the burst (fires once, however the in-flight order and the burst
    // interleave, at most once more if an ask above 0.44 was seen after it finished), then
    // 0.46 → re-arm, 0.42 fire, 0.47 → re-arm, 0.38 fire.
    const repeats = await a.prisma.order.count({ where: { sniperId: repeat.id } });
    expect(repeats).toBeGreaterThanOrEqual(3);
    expect(repeats).toBeLessThanOrEqual(4);
    expect((await b.core.automation.getSniper({ userId: user.id, sniperId: repeat.id })).fireCount).toBe(repeats);
    expect(a.placed.length + b.placed.length).toBe(20 + repeats);
    // Both processes evaluated every price CHANGE and raced for the same claims (which one wins is
    // timing). A repeated price is not evaluated again (nothing new can fire at it): at least the
    // five distinct prices after the burst, plus the burst (coalesced to one or more evaluations).
    expect(evaluations.a).toBeGreaterThanOrEqual(6);
    expect(evaluations.b).toBeGreaterThanOrEqual(6);
  });

  it('a sniper armed by another process (no arming hook here) fires on an unchanged price within the re-evaluation interval', async () => {
    const [venue, vmid] = poly(APPLE);
    const set = () => a.feed.setBook(venue, vmid, { bids: [lv('0.28', '5000')], asks: [lv('0.30', '5000')] });
    set();
    await Promise.all([a.settle(), b.settle()]);
    const { user } = await a.core.users.createUser({ name: 'elsewhere' });
    // Written straight to the database, as an API-only process would: neither monitor is told.
    const sniper = await a.prisma.sniperOrder.create({ data: { userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: '0.35', amount: '5' } });
    set(); // the same prices again: skipped as unchanged
    await Promise.all([a.settle(), b.settle()]);
    expect(await a.prisma.order.count({ where: { sniperId: sniper.id } })).toBe(0);
    a.advance(2_100);
    b.advance(2_100);
    set(); // unchanged, but the re-evaluation interval has passed
    await Promise.all([a.settle(), b.settle()]);
    expect(await a.prisma.order.count({ where: { sniperId: sniper.id } })).toBe(1);
  });

  it('two processes recovering the same stuck claim place one order', async () => {
    const { user } = await a.core.users.createUser({ name: 'recover-both' });
    const s = await a.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.30'), amount: d('5') });
    const old = new Date(Date.now() - 60_000);
    await a.prisma.sniperOrder.update({ where: { id: s.id }, data: { status: 'EXECUTING', fireCount: 1, claimedAt: old, updatedAt: old } });
    const before = a.placed.length + b.placed.length;
    const [ra, rb] = await Promise.all([a.monitors.snipers.recoverStuck(15_000), b.monitors.snipers.recoverStuck(15_000)]);
    expect(ra + rb).toBe(1);
    expect(a.placed.length + b.placed.length).toBe(before + 1);
    expect(await a.prisma.order.count({ where: { sniperId: s.id } })).toBe(1);
  });
});
