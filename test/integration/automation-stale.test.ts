/**
 * The price sync's bookkeeping and freshness guard: quotes and throttled price history per update,
 * no regression to an older quote, stale listings pausing their snipers and TP/SL with one notice per
 * owner, fresh data resuming them (and firing what the fresh price triggers), venue-free snipers
 * waiting for every listing of their market, and two processes agreeing on one pause and one resume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../core/money.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { automationTexts, d, lv, newFeed, poly, startHarness, type Harness } from './automation-harness.ts';

const APPLE = 'apple-foldable-2026';
const FED = 'fed-cut-dec-2026'; // Polymarket and Kalshi
const FED_KALSHI = 'KXFEDCUT-26DEC';

describe('price sync and the freshness guard', () => {
  let db: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A frozen clock: the silence the pause notice reports is exactly what the test advanced, however
    // long the machine takes between the last quote and the sweep.
    h = await startHarness(db, { staleSeconds: 30, frozen: true });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const setApple = (bid: string, ask: string) => {
    const [venue, id] = poly(APPLE);
    h.feed.setBook(venue, id, { bids: [lv(bid, '10000')], asks: [lv(ask, '10000')] });
  };

  it('writes the best bid/ask of both outcomes and at most one price tick per listing per second', async () => {
    setApple('0.40', '0.42');
    setApple('0.41', '0.43');
    setApple('0.44', '0.46');
    await h.settle();
    const q = await h.prisma.listingQuote.findUniqueOrThrow({ where: { listingId: `${APPLE}:polymarket` } });
    expect([q.yesBid, q.yesAsk, q.noBid, q.noAsk].map((v) => dec(v!).toFixed())).toEqual(['0.44', '0.46', '0.54', '0.56']);
    expect(q.stale).toBe(false);
    expect(await h.prisma.priceTick.count({ where: { listingId: `${APPLE}:polymarket` } })).toBe(1);
    h.advance(1_100);
    setApple('0.45', '0.47');
    await h.settle();
    expect(await h.prisma.priceTick.count({ where: { listingId: `${APPLE}:polymarket` } })).toBe(2);
    // An older quote never overwrites a newer one (a lagging process).
    await h.monitors.priceSync.writeQuote(`${APPLE}:polymarket`, { yesBid: d('0.10'), yesAsk: d('0.12'), noBid: d('0.88'), noAsk: d('0.90') }, new Date(h.now().getTime() - 10_000));
    const again = await h.prisma.listingQuote.findUniqueOrThrow({ where: { listingId: `${APPLE}:polymarket` } });
    expect(dec(again.yesBid!).toFixed()).toBe('0.45');
    // Trimming keeps the recent history.
    expect(await h.monitors.trimTicks(1)).toBe(0);
    h.advance(2 * 3600_000);
    try {
      expect(await h.monitors.trimTicks(1)).toBe(2);
    } finally {
      h.advance(-2 * 3600_000);
    }
  });

  it('a silent feed pauses the listing’s snipers and TP/SL, tells each owner once; fresh data resumes and fires', async () => {
    setApple('0.48', '0.50');
    await h.settle();
    const { user } = await h.core.users.createUser({ name: 'stale' });
    await h.core.trading.placeOrder({ userId: user.id, marketId: APPLE, side: 'yes', action: 'buy', type: 'limit', quantity: d('20'), price: d('0.50'), source: 'manual' });
    const position = await h.prisma.position.findFirstOrThrow({ where: { userId: user.id } });
    await h.core.automation.setTpsl({ userId: user.id, positionId: position.id, stopLossPrice: d('0.30') });
    const s1 = await h.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.45'), amount: d('5') });
    const s2 = await h.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'no', triggerPrice: d('0.30'), amount: d('5') });
    const { user: other } = await h.core.users.createUser({ name: 'other' });
    const s3 = await h.core.automation.createSniper({ userId: other.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.20'), amount: d('5') });
    await h.settle();

    h.advance(20_000);
    expect((await h.monitors.sweep()).stale).toBe(0);
    h.advance(11_000);
    expect((await h.monitors.sweep()).stale).toBe(1);
    expect((await h.monitors.sweep()).stale).toBe(0); // once per episode
    for (const s of [s1, s2]) expect((await h.core.automation.getSniper({ userId: user.id, sniperId: s.id })).paused).toBe(true);
    expect((await h.prisma.position.findUniqueOrThrow({ where: { id: position.id } })).tpslPaused).toBe(true);
    expect((await h.prisma.listingQuote.findUniqueOrThrow({ where: { listingId: `${APPLE}:polymarket` } })).stale).toBe(true);
    let mine = await automationTexts(h.prisma, user.id);
    expect(mine.map((t) => t.event)).toEqual(['triggers_paused']);
    expect(mine[0]!.text).toContain('stopped updating (nothing for 31 s): your 2 snipers and TP/SL on 1 position are paused');
    expect((await automationTexts(h.prisma, other.id)).map((t) => t.event)).toEqual(['triggers_paused']);

    // A sniper armed while its market data is stale starts paused.
    const late = await h.core.automation.createSniper({ userId: other.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.10'), amount: d('5') });
    expect(late.paused).toBe(true);
    // Arming re-evaluates the market with the data it has: that is not fresh data, the listing stays stale.
    await h.settle();
    expect((await h.prisma.listingQuote.findUniqueOrThrow({ where: { listingId: `${APPLE}:polymarket` } })).stale).toBe(true);

    // Fresh data at a price that triggers s1 and the stop-loss: resumed first, then fired.
    setApple('0.29', '0.44');
    await h.settle();
    expect((await h.core.automation.getSniper({ userId: user.id, sniperId: s1.id })).status).toBe('FILLED');
    expect((await h.core.automation.getSniper({ userId: user.id, sniperId: s2.id })).paused).toBe(false);
    expect((await h.core.automation.getSniper({ userId: other.id, sniperId: s3.id })).paused).toBe(false);
    expect((await h.core.automation.getSniper({ userId: other.id, sniperId: late.id })).paused).toBe(false);
    const p = await h.prisma.position.findUniqueOrThrow({ where: { id: position.id } });
    expect(p.tpslPaused).toBe(false);
    expect(p.stopLossPrice).toBeNull(); // the stop-loss fired on the fresh bid
    mine = await automationTexts(h.prisma, user.id);
    expect(mine.map((t) => t.event).slice(0, 2)).toEqual(['triggers_paused', 'triggers_resumed']);
    expect(mine[1]!.text).toContain('again: your 2 snipers and TP/SL on 1 position are active again');
    expect(mine.map((t) => t.event)).toContain('sniper_filled');
    expect(mine.map((t) => t.event)).toContain('tpsl_done');
    expect(mine.filter((t) => t.event === 'triggers_resumed')).toHaveLength(1);
    const others = (await automationTexts(h.prisma, other.id)).map((t) => t.event);
    expect(others).toEqual(['triggers_paused', 'triggers_resumed']);
  });

  it('venue-free snipers wait until every listing of their market is fresh; venue-bound ones only for theirs', async () => {
    const [pv, pid] = poly(FED);
    const setPoly = (bid: string, ask: string) => h.feed.setBook(pv, pid, { bids: [lv(bid, '10000')], asks: [lv(ask, '10000')] });
    const setKalshi = (bid: string, ask: string) => h.feed.setBook('kalshi', FED_KALSHI, { bids: [lv(bid, '10000')], asks: [lv(ask, '10000')] });
    setPoly('0.58', '0.60');
    setKalshi('0.58', '0.60');
    await h.settle();
    const { user } = await h.core.users.createUser({ name: 'cross' });
    const anywhere = await h.core.automation.createSniper({ userId: user.id, marketId: FED, side: 'yes', triggerPrice: d('0.55'), amount: d('5') });
    const onPoly = await h.core.automation.createSniper({ userId: user.id, marketId: FED, side: 'yes', triggerPrice: d('0.55'), amount: d('5'), exchange: 'polymarket' });
    await h.settle();
    h.advance(31_000);
    setPoly('0.58', '0.60'); // Polymarket keeps ticking; Kalshi goes silent
    await h.settle();
    await h.monitors.sweep();
    expect((await h.core.automation.getSniper({ userId: user.id, sniperId: anywhere.id })).paused).toBe(true);
    expect((await h.core.automation.getSniper({ userId: user.id, sniperId: onPoly.id })).paused).toBe(false);

    setPoly('0.52', '0.54');
    await h.settle();
    expect((await h.core.automation.getSniper({ userId: user.id, sniperId: onPoly.id })).status).toBe('FILLED');
    expect((await h.core.automation.getSniper({ userId: user.id, sniperId: anywhere.id })).status).toBe('WATCHING');

    setKalshi('0.58', '0.60'); // Kalshi is back: the venue-free sniper resumes and sees Polymarket's 0.54
    await h.settle();
    const view = await h.core.automation.getSniper({ userId: user.id, sniperId: anywhere.id });
    expect(view.paused).toBe(false);
    expect(view.status).toBe('FILLED');
  });
});

describe('freshness guard with two processes', () => {
  let db: TestDatabase;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    db = await createTestDatabase();
    const feed = newFeed();
    a = await startHarness(db, { feed, staleSeconds: 30 });
    b = await startHarness(db, { feed, staleSeconds: 30 });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it('one pause notice and one resume notice per owner, whoever notices first', async () => {
    const [venue, id] = poly(APPLE);
    a.feed.setBook(venue, id, { bids: [lv('0.48', '1000')], asks: [lv('0.50', '1000')] });
    await Promise.all([a.settle(), b.settle()]);
    const { user } = await a.core.users.createUser({ name: 'two' });
    await a.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.20'), amount: d('5') });
    await Promise.all([a.settle(), b.settle()]);
    a.advance(31_000);
    b.advance(31_000);
    const [ra, rb] = await Promise.all([a.monitors.sweep(), b.monitors.sweep()]);
    expect(ra.stale + rb.stale).toBe(1);
    a.feed.setBook(venue, id, { bids: [lv('0.47', '1000')], asks: [lv('0.49', '1000')] });
    await Promise.all([a.settle(), b.settle()]);
    expect((await automationTexts(a.prisma, user.id)).map((t) => t.event)).toEqual(['triggers_paused', 'triggers_resumed']);
  });
});
