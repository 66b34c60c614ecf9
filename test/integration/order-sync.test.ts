/**
 * Order sync (core/trading/order-sync.ts) in live mode against real Postgres: follow jobs and their
 * backoff, a real pg-boss worker following a resting order on a venue that pushes no events,
 * unknown outcomes left open and resolved later (found, or failed as never received), the venue
 * order id stored by onPrepared and used for look-ups, duplicate venue events, a fill after a
 * cancel found by the settle poll, a venue reporting less filled than stored (a FAILED trade, also
 * through the real Polymarket adapter and the fake CLOB's trade statuses), and the startup gate
 * (time-boxed per venue; chat/HTTP told to retry, automation waits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core, type CoreDeps } from '../../core/create-core.ts';
import type { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import { createPaperRegistry } from '../../core/exchanges/registry.ts';
import { VenueError, type ExchangeAdapter, type PlaceOrderRequest, type Venue, type VenueOrder } from '../../core/exchanges/types.ts';
import { DEMO_CATALOG, demoConditionId, demoTokenId, seedCatalog } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { Decimal, dec } from '../../core/money.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import { FOLLOW_BACKOFF_MS, ORDER_FOLLOW_QUEUE } from '../../core/trading/order-sync.ts';
import { TradingError, type PlaceOrderInput } from '../../core/trading/types.ts';
import { toErrorResponse } from '../../api/errors.ts';
import { createBoss, createJobPort, startBoss } from '../../jobs/index.ts';
import { startOrderSyncWorker } from '../../jobs/order-sync.ts';
import type { PolymarketCredentials } from '../../core/exchanges/credentials.ts';
import { PolymarketAdapter } from '../../core/exchanges/polymarket/adapter.ts';
import { createOrDeriveApiCreds, generateSubWallet } from '../../core/exchanges/polymarket/wallet.ts';
import { FaultyVenue } from '../fakes/faulty-venue.ts';
import { FakeClob } from '../fakes/polymarket/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });
const APPLE = 'apple-foldable-2026'; // Polymarket only
const GRACE_MS = 300;

const silent = { warn() {}, error() {}, info() {}, debug() {} };

interface Sent {
  queue: string;
  data: Record<string, unknown>;
  singletonKey?: string;
  startAfter?: Date;
}

/** An adapter whose placeOrder calls onPrepared with a hash-like id, then loses the request (never sent). */
class PreparedThenLost extends FaultyVenue {
  readonly gets: string[] = [];
  override async placeOrder(req: PlaceOrderRequest): Promise<VenueOrder> {
    this.placeCalls.push(req);
    await req.onPrepared?.({ venueOrderId: `0xprep-${req.clientOrderId}` });
    throw new VenueError({ kind: 'unknown_outcome', code: 'TIMEOUT', venue: this.venue, message: 'timed out' });
  }
  override getOrder(args: Parameters<ExchangeAdapter['getOrder']>[0]) {
    this.gets.push(args.venueOrderId);
    return args.venueOrderId.startsWith('0xprep-') ? Promise.resolve(null) : this.inner.getOrder(args);
  }
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function liveCoreDeps(db: TestDatabase, adapters: Map<Venue, ExchangeAdapter>, jobs: JobPort, extra: Partial<CoreDeps> = {}) {
  return {
    prisma: db.prisma,
    jobs,
    adapters,
    settings: { mode: 'live' as const, maxOrderUsd: d('10000'), defaultSlippage: d('0.05') },
    lookupRetries: { attempts: 1, delayMs: 1 },
    sync: { neverReceivedAfterMs: GRACE_MS },
    log: silent,
    // Live mode routes to linked venues only: this user linked both.
    accounts: { linkedVenues: async () => new Set<Venue>(['polymarket', 'kalshi']) },
    ...extra,
  } as unknown as CoreDeps;
}

describe('order sync in live mode (recording job port)', () => {
  let db: TestDatabase;
  let feed: SyntheticMarketFeed;
  let paper: Map<Venue, ExchangeAdapter>;
  let faulty: FaultyVenue;
  let core: Core;
  let userId: string;
  const sent: Sent[] = [];
  const jobs: JobPort = {
    async send(args) {
      sent.push({ queue: args.queue, data: args.data, singletonKey: args.singletonKey, startAfter: args.startAfter });
    },
  };
  const follows = (orderId: string) => sent.filter((s) => s.queue === ORDER_FOLLOW_QUEUE && s.singletonKey === orderId);
  const cond = demoConditionId(APPLE);
  const books = () => feed.setBook('polymarket', cond, { bids: [lv('0.38', '100')], asks: [lv('0.40', '100')] });
  const limit = (over: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
    userId,
    marketId: APPLE,
    side: 'yes',
    action: 'buy',
    type: 'limit',
    quantity: d('10'),
    price: d('0.30'),
    source: 'manual',
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
    paper = createPaperRegistry({ prisma: db.prisma, feed, startingBalance: d('1000') });
    faulty = new FaultyVenue(paper.get('polymarket')!);
    core = await createCore(liveCoreDeps(db, new Map<Venue, ExchangeAdapter>([['polymarket', faulty], ['kalshi', paper.get('kalshi')!]]), jobs));
    userId = (await db.prisma.user.create({ data: { name: 'sync' } })).id;
  });
  afterAll(async () => {
    core?.detach();
    faulty?.close();
    paper?.forEach((a) => (a as PaperExchange).close());
    await db?.drop();
  });

  it('a resting order gets ONE follow job (singletonKey = order id, first poll after 1 s); a filled one none', async () => {
    books();
    const t0 = Date.now();
    const resting = await core.trading.placeOrder(limit());
    expect(resting.status).toBe('pending');
    const f = follows(resting.id);
    expect(f).toHaveLength(1);
    expect(f[0]!.data).toEqual({ orderId: resting.id, idle: 0 });
    expect(f[0]!.startAfter!.getTime() - t0).toBeGreaterThanOrEqual(FOLLOW_BACKOFF_MS[0] - 50);
    const filled = await core.trading.placeOrder(limit({ price: d('0.40') }));
    expect(filled.status).toBe('filled');
    expect(follows(filled.id)).toHaveLength(0);
  });

  it('follow job backoff: quiet polls back off 1 → 2 → 5 → 15 → 60 → 60 s; a change resets it; terminal stops it', async () => {
    books();
    const order = await core.trading.placeOrder(limit({ price: d('0.31') }));
    const delays: number[] = [];
    let idle = 0;
    for (let i = 0; i < 6; i++) {
      const before = sent.length;
      const t = Date.now();
      expect(await core.trading.runFollowJob({ orderId: order.id, idle })).toBe('pending');
      const next = sent.slice(before).find((s) => s.singletonKey === order.id)!;
      delays.push(Math.round((next.startAfter!.getTime() - t) / 1000));
      idle = next.data.idle as number;
    }
    expect(delays).toEqual([2, 5, 15, 60, 60, 60]);
    // The venue fills it (a seller arrives) while no event reaches us: the next poll finds it filled, and stops.
    faulty.close(); // this adapter's subscribers hear nothing from now on
    feed.setBook('polymarket', cond, { bids: [lv('0.30', '100')], asks: [lv('0.31', '100')] });
    await (paper.get('polymarket') as PaperExchange).idle();
    expect((await core.trading.getOrder({ userId, orderId: order.id })).status).toBe('pending');
    const before = sent.length;
    expect(await core.trading.runFollowJob({ orderId: order.id, idle })).toBe('filled');
    expect(sent.slice(before).filter((s) => s.queue === ORDER_FOLLOW_QUEUE)).toEqual([]);
    const o = await core.trading.getOrder({ userId, orderId: order.id });
    expect(o.filledQuantity.toFixed()).toBe('10');
    expect(o.fills).toHaveLength(1);
  });

  it('a change found by a poll resets the backoff to 1 s', async () => {
    feed.setBook('polymarket', cond, { bids: [lv('0.25', '100')], asks: [lv('0.34', '4')] });
    const order = await core.trading.placeOrder(limit({ price: d('0.33') })); // the best resting bid
    expect(order.status).toBe('pending');
    // A partial fill on the venue (4 of 10), unseen by yesno (events are off since the test above).
    feed.setBook('polymarket', cond, { bids: [lv('0.25', '100')], asks: [lv('0.33', '4')] });
    await (paper.get('polymarket') as PaperExchange).idle();
    const before = sent.length;
    const t = Date.now();
    expect(await core.trading.runFollowJob({ orderId: order.id, idle: 3 })).toBe('partial');
    const next = sent.slice(before).find((s) => s.singletonKey === order.id)!;
    expect(next.data.idle).toBe(0);
    expect(Math.round((next.startAfter!.getTime() - t) / 1000)).toBe(1);
  });

  it('unknown outcome (not placed): 201-able current state `created`, no 5xx; the follow job fails it as never received after the grace period', async () => {
    books();
    faulty.failNextPlace({ kind: 'unknown_outcome', message: 'request timed out' });
    const order = await core.trading.placeOrder(limit());
    expect(order.status).toBe('created');
    expect(order.failureReason).toBeNull();
    expect(follows(order.id)).toHaveLength(1);
    // Within the grace period the poll leaves it open (the request might still arrive).
    expect(await core.trading.runFollowJob({ orderId: order.id })).toBe('created');
    await new Promise((r) => setTimeout(r, GRACE_MS + 20));
    expect(await core.trading.runFollowJob({ orderId: order.id })).toBe('failed');
    const after = await core.trading.getOrder({ userId, orderId: order.id });
    expect(after.failureReason).toBe('polymarket never received the order; nothing was placed.');
    expect(await db.prisma.paperOrder.count({ where: { clientOrderId: order.clientOrderId } })).toBe(0);
  });

  it('unknown outcome (placed, look-up missed): stays `created`, the next poll finds it by client id and applies it; sent once', async () => {
    feed.setBook('polymarket', cond, { bids: [lv('0.38', '100')], asks: [lv('0.40', '100')] });
    faulty.failNextPlace({ kind: 'unknown_outcome', placeFirst: true, message: 'socket hang up' });
    // The look-up right after the failure errors (venue busy): the order stays open.
    const realLookup = faulty.getOrderByClientId.bind(faulty);
    let failLookups = 1;
    faulty.getOrderByClientId = async (args) => {
      if (failLookups-- > 0) throw new VenueError({ kind: 'retryable', code: 'HTTP_503', venue: 'polymarket', message: 'busy' });
      return realLookup(args);
    };
    const calls = faulty.innerPlacements.length;
    const order = await core.trading.placeOrder(limit({ price: d('0.40') }));
    expect(order.status).toBe('created');
    expect(await core.trading.runFollowJob({ orderId: order.id })).toBe('filled');
    expect(faulty.innerPlacements.length).toBe(calls + 1);
    const after = await core.trading.getOrder({ userId, orderId: order.id });
    expect(after.filledQuantity.toFixed()).toBe('10');
    expect(after.venueOrderId).toMatch(/^0x/);
  });

  it('onPrepared stores the venue order id before sending; look-ups then go by that id; never found → failed', async () => {
    const prepared = new PreparedThenLost(paper.get('polymarket')!);
    const core2 = await createCore(liveCoreDeps(db, new Map<Venue, ExchangeAdapter>([['polymarket', prepared]]), jobs));
    try {
      books();
      const order = await core2.trading.placeOrder(limit());
      expect(order.status).toBe('created');
      expect(order.venueOrderId).toBe(`0xprep-${order.clientOrderId}`);
      expect(prepared.gets).toEqual([order.venueOrderId]); // the look-up after the unknown outcome
      expect(prepared.lookups).toEqual([]); // not by client id
      await new Promise((r) => setTimeout(r, GRACE_MS + 20));
      expect(await core2.trading.reconcileOpenOrders()).toBeGreaterThanOrEqual(1);
      expect((await core2.trading.getOrder({ userId, orderId: order.id })).status).toBe('failed');
      expect(prepared.gets.filter((g) => g === order.venueOrderId)).toHaveLength(2);
    } finally {
      core2.detach();
      prepared.close();
    }
  });

  it('the same venue event 20 times at once (and once more by venue order id only): one fill, one transition, one notification each', async () => {
    books();
    const order = await core.trading.placeOrder(limit({ price: d('0.32') }));
    const ev: VenueOrder = {
      venueOrderId: order.venueOrderId!,
      clientOrderId: order.clientOrderId,
      status: 'filled',
      quantity: d('10'),
      filledQuantity: d('10'),
      fills: [{ venueTradeId: `${order.venueOrderId}-dup`, venueOrderId: order.venueOrderId!, price: d('0.32'), quantity: d('10'), fee: d('0'), filledAt: new Date() }],
    };
    await Promise.all(Array.from({ length: 20 }, () => core.trading.onVenueOrder(order.clientOrderId, ev)));
    await core.trading.onVenueOrder('', ev, 'polymarket'); // a stream that does not carry our client id
    const after = await core.trading.getOrder({ userId, orderId: order.id });
    expect(after.status).toBe('filled');
    expect(after.fills).toHaveLength(1);
    expect(after.filledQuantity.toFixed()).toBe('10');
    const outbox = await db.prisma.notificationOutbox.findMany({ where: { orderId: order.id } });
    expect(outbox.map((r) => r.dedupeKey.replace(order.id, 'X').replace(/fill:.*/, 'fill')).sort()).toEqual(['fill', 'order:X:filled', 'order:X:pending'].sort());
    // An event for an order yesno does not know changes nothing.
    await core.trading.onVenueOrder('yn-unknown', { ...ev, venueOrderId: '0xnope' });
  });

  it('a fill that raced a cancel: the settle poll after the cancel records it as late; polling then stops', async () => {
    books();
    const order = await core.trading.placeOrder(limit({ price: d('0.29') }));
    const cancelled = await core.trading.cancelOrder({ userId, orderId: order.id });
    expect(cancelled.status).toBe('cancelled');
    // The queued follow job runs: finds it cancelled and schedules one last look.
    let before = sent.length;
    expect(await core.trading.runFollowJob({ orderId: order.id })).toBe('cancelled');
    const settle = sent.slice(before).find((s) => s.singletonKey === order.id)!;
    expect(settle.data).toMatchObject({ orderId: order.id, settle: true });
    // The venue now reports 3 filled just before the cancel took effect.
    const late: VenueOrder = {
      venueOrderId: order.venueOrderId!,
      clientOrderId: order.clientOrderId,
      status: 'cancelled',
      quantity: d('10'),
      filledQuantity: d('3'),
      fills: [{ venueTradeId: `${order.venueOrderId}-race`, venueOrderId: order.venueOrderId!, price: d('0.29'), quantity: d('3'), fee: d('0'), filledAt: new Date() }],
    };
    const realGet = faulty.getOrder.bind(faulty);
    faulty.getOrder = async (args) => (args.venueOrderId === order.venueOrderId ? late : realGet(args));
    before = sent.length;
    expect(await core.trading.runFollowJob(settle.data as { orderId: string; settle: boolean })).toBe('cancelled');
    expect(sent.slice(before).filter((s) => s.queue === ORDER_FOLLOW_QUEUE)).toEqual([]);
    const after = await core.trading.getOrder({ userId, orderId: order.id });
    expect(after.lateFillQuantity.toFixed()).toBe('3');
    expect(after.fills?.map((f) => [f.quantity.toFixed(), f.late])).toEqual([['3', true]]);
    faulty.getOrder = realGet;
  });

  it('a venue reporting less filled than stored (a Polymarket trade that FAILED): fills are facts, nothing is deleted, an operator is told', async () => {
    books();
    const order = await core.trading.placeOrder(limit({ price: d('0.28') }));
    const matched: VenueOrder = {
      venueOrderId: order.venueOrderId!,
      clientOrderId: order.clientOrderId,
      status: 'open',
      quantity: d('10'),
      filledQuantity: d('4'),
      fills: [{ venueTradeId: `${order.venueOrderId}-matched`, venueOrderId: order.venueOrderId!, price: d('0.28'), quantity: d('4'), fee: d('0'), filledAt: new Date() }],
    };
    await core.trading.onVenueOrder(order.clientOrderId, matched);
    expect((await core.trading.getOrder({ userId, orderId: order.id })).status).toBe('partial');
    const errors: unknown[] = [];
    const watched = await createCore(
      liveCoreDeps(db, new Map<Venue, ExchangeAdapter>([['polymarket', faulty]]), jobs, { log: { warn() {}, error: (o: unknown) => errors.push(o) } }),
    );
    const realGet = faulty.getOrder.bind(faulty);
    faulty.getOrder = async (args) => (args.venueOrderId === order.venueOrderId ? { ...matched, filledQuantity: d('0'), fills: [] } : realGet(args));
    try {
      expect(await watched.trading.runFollowJob({ orderId: order.id })).toBe('partial');
    } finally {
      faulty.getOrder = realGet;
      watched.detach();
    }
    const after = await core.trading.getOrder({ userId, orderId: order.id });
    expect(after.filledQuantity.toFixed()).toBe('4');
    expect(after.fills).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ orderId: order.id, ours: '4', venues: '0' })]);
  });
});

describe('startup gate', () => {
  let db: TestDatabase;
  let feed: SyntheticMarketFeed;
  let paper: Map<Venue, ExchangeAdapter>;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
    paper = createPaperRegistry({ prisma: db.prisma, feed, startingBalance: d('1000') });
    userId = (await db.prisma.user.create({ data: { name: 'gate' } })).id;
  });
  afterAll(async () => {
    paper?.forEach((a) => (a as PaperExchange).close());
    await db?.drop();
  });

  it('reconciles open orders before new ones; a venue that does not answer is time-boxed; chat/HTTP are told to retry (423), automation waits', async () => {
    const sentJobs: Sent[] = [];
    const jobs: JobPort = {
      async send(args) {
        sentJobs.push({ queue: args.queue, data: args.data, singletonKey: args.singletonKey });
      },
    };
    // Leave one open order on the venue (placed by a first "process").
    feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.38', '100')], asks: [lv('0.40', '100')] });
    const first = await createCore(liveCoreDeps(db, paper as Map<Venue, ExchangeAdapter>, jobs));
    const open = await first.trading.placeOrder({ userId, marketId: APPLE, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.30'), source: 'manual' });
    first.detach();
    expect(open.status).toBe('pending');

    // The second process' venue hangs on look-ups.
    const hanging = new FaultyVenue(paper.get('polymarket')!);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let asked!: () => void;
    const venueAsked = new Promise<void>((r) => (asked = r));
    hanging.getOrder = async (args) => {
      asked();
      await released;
      return paper.get('polymarket')!.getOrder(args);
    };
    const warns: string[] = [];
    const core = await createCore(
      liveCoreDeps(db, new Map<Venue, ExchangeAdapter>([['polymarket', hanging]]), jobs, {
        // The time-box has room for the 423 below even when this machine is loaded (it is wall time).
        sync: { neverReceivedAfterMs: GRACE_MS, startupVenueTimeoutMs: 1_500, startupWaitMs: 50 },
        log: { warn: (_o: unknown, m?: string) => warns.push(m ?? ''), error() {} },
      } as Partial<CoreDeps>),
    );
    try {
      const t0 = Date.now();
      const startup = core.trading.startupReconcile();
      // The pass has counted its open orders once it asks the venue (before that the 423 says no number).
      await venueAsked;
      const input: PlaceOrderInput = { userId, marketId: APPLE, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.30'), source: 'manual' };
      const err = await core.trading.placeOrder(input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TradingError);
      expect((err as TradingError).code).toBe('starting_up');
      expect((err as TradingError).message).toBe('yesno is starting up and reconciling 1 open order with the venues; your order was not placed. Try again in a few seconds.');
      const http = toErrorResponse(err, { bodyLimit: 1, requestId: 'r' });
      expect([http.status, http.headers['retry-after'], http.bug]).toEqual([423, '3', false]);
      expect(await db.prisma.order.count({ where: { userId } })).toBe(1); // nothing created

      // Automation waits for the gate instead of failing.
      const sniper = core.trading.placeOrder({ ...input, source: 'sniper' });
      const report = await startup;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_480);
      expect(report.venues).toEqual([{ venue: 'polymarket', orders: 1, changed: 0, timedOut: true }]);
      // Every open order found at start gets its follow job (the venue may answer later).
      expect(sentJobs.filter((j) => j.queue === ORDER_FOLLOW_QUEUE && j.singletonKey === open.id).length).toBeGreaterThanOrEqual(2); // first process + startup
      expect(warns).toContain('startup order sync: venue did not answer in time; trading opens, follow jobs keep trying');
      expect((await sniper).status).toBe('pending');
      // After the gate, manual orders go through at once.
      expect((await core.trading.placeOrder(input)).status).toBe('pending');
    } finally {
      release();
      core.detach();
      hanging.close();
    }
  });
});

describe('follow jobs on real pg-boss', () => {
  let db: TestDatabase;
  let feed: SyntheticMarketFeed;
  let paper: Map<Venue, ExchangeAdapter>;
  let faulty: FaultyVenue;
  let boss: ReturnType<typeof createBoss>;
  let core: Core;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
    paper = createPaperRegistry({ prisma: db.prisma, feed, startingBalance: d('1000') });
    faulty = new FaultyVenue(paper.get('polymarket')!);
    faulty.close(); // a venue without a live stream: only polling sees what happens there
    boss = createBoss({ connectionString: db.url, log: silent, max: 3 });
    await startBoss(boss);
    core = await createCore(
      liveCoreDeps(db, new Map<Venue, ExchangeAdapter>([['polymarket', faulty]]), createJobPort(boss), { sync: { neverReceivedAfterMs: GRACE_MS, backoffMs: [300, 600] } } as Partial<CoreDeps>),
    );
    await startOrderSyncWorker({ boss, log: silent, reconcile: async () => 0, follow: (data) => core.trading.runFollowJob(data), followPollingSeconds: 0.5 });
    userId = (await db.prisma.user.create({ data: { name: 'boss' } })).id;
  }, 60_000);
  afterAll(async () => {
    core?.detach();
    await boss?.stop({ graceful: false });
    paper?.forEach((a) => (a as PaperExchange).close());
    await db?.drop();
  });

  it('a resting order on a venue that pushes nothing is followed by one job at a time until filled, then no job is left', async () => {
    const cond = demoConditionId(APPLE);
    feed.setBook('polymarket', cond, { bids: [lv('0.38', '100')], asks: [lv('0.40', '100')] });
    const order = await core.trading.placeOrder({ userId, marketId: APPLE, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.30'), source: 'manual' });
    expect(order.status).toBe('pending');
    // A second enqueue for the same order while one is queued is absorbed (stately queue, singletonKey).
    await core.trading.sync.follow(order.id);
    const queued = await boss.findJobs(ORDER_FOLLOW_QUEUE, { key: order.id, queued: true });
    expect(queued).toHaveLength(1);
    // Let it poll a couple of times, then fill it on the venue.
    await new Promise((r) => setTimeout(r, 900));
    feed.setBook('polymarket', cond, { bids: [lv('0.28', '100')], asks: [lv('0.30', '100')] });
    const after = await until(
      () => core.trading.getOrder({ userId, orderId: order.id }),
      (o) => o.status === 'filled',
    );
    expect(after.status).toBe('filled');
    expect(after.filledQuantity.toFixed()).toBe('10');
    await new Promise((r) => setTimeout(r, 300));
    expect(await boss.findJobs(ORDER_FOLLOW_QUEUE, { key: order.id, queued: true })).toHaveLength(0);
    const all = await boss.findJobs(ORDER_FOLLOW_QUEUE, { key: order.id });
    expect(all.length).toBeGreaterThanOrEqual(2); // it polled more than once before the fill
  });
});

describe('Polymarket trade statuses through the real adapter (fake CLOB)', () => {
  const MARKET = 'taylor-swift-album-2026'; // Polymarket only
  const YES = demoTokenId(MARKET, 'yes');
  let db: TestDatabase;
  let clob: FakeClob;
  let polymarket: PolymarketAdapter;
  let core: Core;
  let userId: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    clob = new FakeClob({ chainId: 137 });
    await clob.start();
    clob.engine.addMarket({ conditionId: demoConditionId(MARKET), tokens: [{ tokenId: YES, outcome: 'Yes' }, { tokenId: demoTokenId(MARKET, 'no'), outcome: 'No' }] });
    userId = (await db.prisma.user.create({ data: { name: 'pm' } })).id;
    const w = generateSubWallet();
    const apiCreds = await createOrDeriveApiCreds({ privateKey: w.privateKey, clobUrl: clob.url, chainId: 137 });
    const creds: PolymarketCredentials = { privateKey: w.privateKey, address: w.address, signatureType: 0, apiCreds };
    clob.fund({ address: w.address, usdc: '1000' });
    polymarket = new PolymarketAdapter({ clobUrl: clob.url, chainId: 137, timeoutMs: 2_000, credentials: { polymarket: async () => creds, kalshi: async () => null } });
    core = await createCore(
      liveCoreDeps(db, new Map<Venue, ExchangeAdapter>([['polymarket', polymarket]]), { async send() {} }, { log: { warn() {}, error: (o: unknown) => errors.push(o) } }),
    );
  });
  afterAll(async () => {
    core?.detach();
    polymarket?.close();
    await clob?.stop();
    await db?.drop();
  });

  it('MATCHED → MINED → CONFIRMED keeps one fill; a trade that then FAILS is kept as stored (never deleted) and reported to an operator', async () => {
    clob.engine.seedBook({ tokenId: YES, asks: [{ price: '0.38', size: '4' }, { price: '0.60', size: '100' }] });
    const order = await core.trading.placeOrder({ userId, marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.40'), source: 'manual' });
    expect(order.status).toBe('partial');
    expect(order.filledQuantity.toFixed()).toBe('4');
    const trade = clob.engine.trades.find((t) => t.takerOrderId === order.venueOrderId)!;
    for (const status of ['MINED', 'CONFIRMED'] as const) {
      clob.engine.setTradeStatus(trade.id, status);
      expect(await core.trading.runFollowJob({ orderId: order.id })).toBe('partial');
    }
    let row = await core.trading.getOrder({ userId, orderId: order.id });
    expect(row.fills?.map((f) => [f.venueTradeId, f.quantity.toFixed()])).toEqual([[trade.id, '4']]);
    expect(errors).toEqual([]);

    clob.engine.setTradeStatus(trade.id, 'FAILED');
    expect(await core.trading.runFollowJob({ orderId: order.id })).toBe('partial');
    row = await core.trading.getOrder({ userId, orderId: order.id });
    expect(row.filledQuantity.toFixed()).toBe('4');
    expect(row.fills).toHaveLength(1);
    const pos = await db.prisma.position.findFirstOrThrow({ where: { userId, marketId: MARKET } });
    expect(dec(pos.quantity).toFixed()).toBe('4');
    expect(errors).toEqual([expect.objectContaining({ orderId: order.id, ours: '4', venues: '0' })]);
  });
});
