/**
 * Crash test: yesno (the real core, live mode, real Postgres) runs in a child process and trades
 * against an HTTP venue in this process; the venue kills the child with SIGKILL at chosen points
 * between sending an order (or a cancel) and storing the answer:
 *   - before-act:    the request reached the venue, which drops it without acting;
 *   - after-act:     the venue acted, the child dies before the answer comes back;
 *   - after-respond: the venue answered, the child dies 0–5 ms later (racing its write of the answer).
 * While the child is down the venue fills and cancels some resting orders. Then a new child starts
 * (its startup order sync runs) and trades on. After all rounds a last child only reconciles, and:
 *   - no duplicate venue orders (the venue accepts duplicates, so a resubmission would show);
 *   - every venue order is known to yesno with the venue's status, fills and filled quantity
 *     (Polymarket-like venue: under the venue order id stored before sending);
 *   - every yesno order the venue never got is failed ("never received"), none is left in `created`;
 *   - the position equals the sum of the venue's trades.
 * Two venue flavours run side by side: `hash` (Polymarket-like: the id is known before sending,
 * onPrepared) and `client` (Kalshi-like: found by client order id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATALOG, seedCatalog } from '../../core/markets/catalog.ts';
import { dec } from '../../core/money.ts';
import { CrashVenue, filled, type KillPoint } from '../fakes/crash-venue.ts';
import { spawnCrashChild, type CrashChild } from '../helpers/crash-harness.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const ROUNDS_PER_VENUE = Number(process.env.CRASH_ROUNDS ?? 11);
const GRACE_MS = 400;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);

function mulberry(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLANS: ['place' | 'cancel', KillPoint][] = [
  ['place', 'before-act'],
  ['place', 'after-act'],
  ['place', 'after-respond'],
  ['cancel', 'after-act'],
  ['place', 'before-act'],
  ['place', 'after-act'],
  ['place', 'after-respond'],
  ['cancel', 'after-respond'],
  ['cancel', 'before-act'],
];

interface RoundLog {
  round: number;
  on: 'place' | 'cancel' | 'timer';
  point: KillPoint | 'timer';
  readyMs: number;
  roundMs: number;
  orders: number;
}

async function runVenue(args: {
  db: TestDatabase;
  userId: string;
  venue: 'polymarket' | 'kalshi';
  flavour: 'hash' | 'client';
  marketId: string;
  seed: number;
}) {
  const rng = mulberry(args.seed);
  const fake = new CrashVenue(args.flavour);
  const venueUrl = await fake.listen();
  const rounds: RoundLog[] = [];
  const base = { dbUrl: args.db.url, venueUrl, venue: args.venue, flavour: args.flavour, userId: args.userId, marketId: args.marketId, graceMs: GRACE_MS };
  const started = performance.now();
  let next: CrashChild = spawnCrashChild({ ...base, seed: args.seed * 100 });
  let current: CrashChild | null = null;
  try {
    for (let round = 0; round < ROUNDS_PER_VENUE; round++) {
      const t0 = performance.now();
      const child = next;
      current = child;
      await child.loaded;
      child.go();
      const { ms: readyMs } = await child.ready;
      // The next process loads its code meanwhile; it starts only after this one is dead.
      next = spawnCrashChild({ ...base, seed: args.seed * 100 + round + 1, mode: round + 1 < ROUNDS_PER_VENUE ? 'trade' : 'reconcile' });
      // Every kind of kill point comes round (placements twice as often as cancels); which request
      // and how many ms after the answer are random.
      const [on, point] = PLANS[(round + args.seed) % PLANS.length]!;
      fake.arm({ on, nth: on === 'cancel' ? 1 : 1 + Math.floor(rng() * 3), point, delayMs: Math.floor(rng() * 6), kill: () => child.kill() });
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        fake.firedAt()!.then(() => 'fired' as const),
        child.exited.then(() => 'exited' as const),
        new Promise<'timer'>((r) => (timer = setTimeout(() => r('timer'), 1_500))),
      ]);
      clearTimeout(timer);
      fake.disarm();
      if (outcome === 'exited') {
        // The child died on its own (unless the venue's kill raced this): a bug, show its stderr.
        const fired = await Promise.race([fake.firedAt()!.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
        if (!fired) throw new Error(`round ${round}: the child exited by itself:\n${child.stderr()}`);
      }
      await child.kill(); // a timer round: killed wherever it is (a random point)
      rounds.push({ round, on: outcome === 'timer' ? 'timer' : on, point: outcome === 'timer' ? 'timer' : point, readyMs, roundMs: performance.now() - t0, orders: child.events.filter((e) => e.event === 'placed').length });
      // While yesno is down, the venue keeps trading.
      fake.trade(rng);
      fake.venueCancel(rng);
    }
    // A last start after the grace period: its startup sync settles everything; it then exits.
    await new Promise((r) => setTimeout(r, GRACE_MS + 50));
    const last = next;
    await last.loaded;
    last.go();
    await last.ready;
    const exit = await last.exited;
    expect(exit.code, last.stderr()).toBe(0);
    return { fake, rounds, ms: performance.now() - started };
  } finally {
    await current?.kill();
    await next.kill();
    await fake.close();
  }
}

async function verify(db: TestDatabase, userId: string, venue: string, marketId: string, fake: CrashVenue, flavour: 'hash' | 'client') {
  // No duplicate venue orders: at most one per client order id.
  const perClientId = new Map<string, number>();
  for (const o of fake.orders) perClientId.set(o.clientOrderId, (perClientId.get(o.clientOrderId) ?? 0) + 1);
  expect([...perClientId.entries()].filter(([, n]) => n > 1)).toEqual([]);

  const orders = await db.prisma.order.findMany({ where: { exchange: venue }, include: { fills: true } });
  const byClientId = new Map(orders.map((o) => [o.clientOrderId, o]));
  for (const fo of fake.orders) {
    const o = byClientId.get(fo.clientOrderId);
    expect(o, `venue order ${fo.id} unknown to yesno`).toBeDefined();
    const want = fo.status === 'open' ? (filled(fo) > 0 ? 'partial' : 'pending') : fo.status;
    expect({ id: fo.id, status: o!.status }).toEqual({ id: fo.id, status: want });
    expect(o!.venueOrderId).toBe(fo.id);
    expect(dec(o!.filledQuantity).toFixed()).toBe(String(filled(fo)));
    expect(o!.fills.map((f) => `${f.venueTradeId}:${dec(f.quantity).toFixed()}`).sort()).toEqual(fo.trades.map((t) => `${t.id}:${t.quantity}`).sort());
  }
  const atVenue = new Set(fake.orders.map((o) => o.clientOrderId));
  const never = orders.filter((o) => !atVenue.has(o.clientOrderId));
  for (const o of never) {
    expect({ id: o.id, status: o.status, fills: o.fills.length }).toEqual({ id: o.id, status: 'failed', fills: 0 });
    // hash flavour: the id stored before sending is what the venue would have had.
    if (flavour === 'client') expect(o.venueOrderId).toBeNull();
  }
  expect(orders.filter((o) => o.status === 'created')).toEqual([]);
  // The position is the sum of the venue's trades (every fill counted once).
  const traded = fake.orders.reduce((n, o) => n + filled(o), 0);
  const pos = await db.prisma.position.findFirst({ where: { userId, marketId, side: 'yes' } });
  expect(pos ? dec(pos.quantity).toFixed() : '0').toBe(String(traded));
  return { venueOrders: fake.orders.length, yesnoOrders: orders.length, neverReceived: never.length, traded };
}

describe('crash recovery (SIGKILL between sending an order and storing the answer)', () => {
  let db: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    userId = (await db.prisma.user.create({ data: { name: 'crash' } })).id;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it(`${ROUNDS_PER_VENUE * 2} kills over two venues: no duplicate venue orders, every venue order known with its status and fills`, { timeout: 120_000 }, async () => {
    const poly = { venue: 'polymarket' as const, flavour: 'hash' as const, marketId: 'apple-foldable-2026' };
    const kalshi = { venue: 'kalshi' as const, flavour: 'client' as const, marketId: 'cpi-above-3-nov-2026' };
    const [p, k] = await Promise.all([runVenue({ db, userId, ...poly, seed: SEED }), runVenue({ db, userId, ...kalshi, seed: SEED + 1 })]);
    const pv = await verify(db, userId, poly.venue, poly.marketId, p.fake, poly.flavour);
    const kv = await verify(db, userId, kalshi.venue, kalshi.marketId, k.fake, kalshi.flavour);
    const rounds = [...p.rounds, ...k.rounds];
    const points = rounds.reduce<Record<string, number>>((acc, r) => ((acc[`${r.on}/${r.point}`] = (acc[`${r.on}/${r.point}`] ?? 0) + 1), acc), {});
    const readyMs = rounds.map((r) => r.readyMs).sort((a, b) => a - b);
    console.log(
      `[crash] seed ${SEED}: ${rounds.length} kills (${JSON.stringify(points)}); child ready p50 ${Math.round(readyMs[readyMs.length >> 1]!)} ms, max ${Math.round(readyMs[readyMs.length - 1]!)} ms; ` +
        `hash venue ${Math.round(p.ms)} ms ${JSON.stringify(pv)}; client venue ${Math.round(k.ms)} ms ${JSON.stringify(kv)}`,
    );
    expect(rounds.length).toBeGreaterThanOrEqual(20);
    expect(rounds.filter((r) => r.point !== 'timer').length).toBeGreaterThanOrEqual(15);
  });
});
