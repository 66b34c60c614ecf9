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
import { DEMO_CATALOG, demoConditionId, demoTokenId, seedCatalog } from '../../core/markets/catalog.ts';
import { dec } from '../../core/money.ts';
import { parseVenueClientId } from '../../core/exchanges/kalshi/orders.ts';
import { Decimal } from '../../core/money.ts';
import { CrashVenue, filled, type KillPlan, type KillPoint } from '../fakes/crash-venue.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { FakeClob } from '../fakes/polymarket/server.ts';
import type { PolymarketCredentials } from '../../core/exchanges/credentials.ts';
import { createOrDeriveApiCreds, generateSubWallet } from '../../core/exchanges/polymarket/wallet.ts';
import { CrashProxy } from '../helpers/crash-proxy.ts';
import { spawnCrashChild, type CrashChild } from '../helpers/crash-harness.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** Which venues run (CRASH_VENUES=hash,kalshi,polymarket), and kills per venue. */
const VENUES = (process.env.CRASH_VENUES ?? 'kalshi,polymarket').split(',');
const ROUNDS_PER_VENUE = Number(process.env.CRASH_ROUNDS ?? 10);
const GRACE_MS = 400;
/** A round whose kill point does not come ends (killed wherever the child is) after this many more requests. */
const TIMER_OPS = 20;
const KALSHI_TICKER = 'KXCPIYOY-26NOV-T3.0';
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
  /** Of readyMs: building the core (connect, directory) and the startup order sync. */
  coreMs: number;
  startupMs: number;
  roundMs: number;
  orders: number;
}

/** What the venue knows, in yesno's terms, for the comparison. */
interface VenueFact {
  clientOrderId: string;
  venueOrderId: string;
  status: 'pending' | 'partial' | 'filled' | 'cancelled';
  filled: string;
  trades: string[];
}

/** One venue under test: how the child reaches it, how kills are armed, what it knows at the end. */
interface Target {
  name: string;
  venue: 'polymarket' | 'kalshi';
  flavour: 'hash' | 'client' | 'kalshi' | 'polymarket';
  marketId: string;
  url: string;
  extraEnv?: Record<string, string>;
  arm(plan: KillPlan): void;
  disarm(): void;
  firedAt(): Promise<KillPoint> | null;
  /** The venue trades on (fills, cancels) while yesno is down. */
  between(rng: () => number): void;
  facts(): VenueFact[];
  close(): Promise<void>;
}

function statusOf(state: 'open' | 'filled' | 'cancelled', filledQty: number): VenueFact['status'] {
  return state === 'open' ? (filledQty > 0 ? 'partial' : 'pending') : state;
}

/** test/fakes/crash-venue.ts, Polymarket-like: the venue order id is a hash known before sending. */
async function hashTarget(): Promise<Target> {
  const fake = new CrashVenue('hash');
  const url = await fake.listen();
  return {
    name: 'hash-id venue (fake, onPrepared)',
    venue: 'polymarket',
    flavour: 'hash',
    marketId: 'apple-foldable-2026',
    url,
    arm: (p) => fake.arm(p),
    disarm: () => fake.disarm(),
    firedAt: () => fake.firedAt(),
    between(rng) {
      fake.trade(rng);
      fake.venueCancel(rng);
    },
    facts: () =>
      fake.orders.map((o) => ({
        clientOrderId: o.clientOrderId,
        venueOrderId: o.id,
        status: statusOf(o.status, filled(o)),
        filled: String(filled(o)),
        trades: o.trades.map((t) => `${t.id}:${t.quantity}`),
      })),
    close: () => fake.close(),
  };
}

/** The real KalshiAdapter against the fake Kalshi (test/fakes/kalshi), behind the killing proxy. */
async function kalshiTarget(): Promise<Target> {
  const fake = await FakeKalshi.start();
  fake.engine.addMarket({ ticker: KALSHI_TICKER });
  const { keyId, privateKeyPem } = fake.registerKey({ balance: '1000000' });
  const maker = fake.registerKey({ balance: '1000000' }).keyId;
  // Asks: 3 YES at 0.38 (a buy at 0.40/0.45 fills 3 and rests), plenty at 0.55 (≥ 0.55 fills at once).
  const seed = () => fake.engine.seedBook(KALSHI_TICKER, { noBids: [['0.62', '3'], ['0.45', '100000']] });
  seed();
  const proxy = await CrashProxy.start({
    upstream: fake.url,
    classify: (method, path) =>
      method === 'POST' && /\/portfolio\/(events\/)?orders$/.test(path) ? 'place' : method === 'DELETE' && /\/portfolio\/(events\/)?orders\//.test(path) ? 'cancel' : null,
  });
  let n = 0;
  return {
    name: 'Kalshi (real adapter, fake venue)',
    venue: 'kalshi',
    flavour: 'kalshi',
    marketId: 'cpi-above-3-nov-2026',
    url: proxy.url,
    extraEnv: { CRASH_KALSHI_KEY_ID: keyId, CRASH_KALSHI_PEM: privateKeyPem },
    arm: (p) => proxy.arm(p),
    disarm: () => proxy.disarm(),
    firedAt: () => proxy.firedAt(),
    between(rng) {
      // Another trader sells into our resting bids; the venue cancels a few; the book refills.
      const count = 3 + Math.floor(rng() * 20);
      fake.engine.place(maker, { ticker: KALSHI_TICKER, clientOrderId: `mk-${++n}`, bookSide: 'ask', price: new Decimal('0.20'), count: new Decimal(count), tif: 'immediate_or_cancel' });
      for (const o of fake.engine.ordersOf(keyId)) if (o.status === 'resting' && rng() < 0.15) fake.engine.cancel(keyId, o.orderId);
      seed();
    },
    facts: () => {
      const fills = fake.engine.fillsOf(keyId);
      return fake.engine.ordersOf(keyId).map((o) => ({
        clientOrderId: parseVenueClientId(o.clientOrderId).clientOrderId,
        venueOrderId: o.orderId,
        status: statusOf(o.status === 'resting' ? 'open' : o.status === 'executed' ? 'filled' : 'cancelled', o.filled.toNumber()),
        filled: o.filled.toFixed(),
        trades: fills.filter((f) => f.orderId === o.orderId).map((f) => `${f.fillId}:${f.count.toFixed()}`),
      }));
    },
    async close() {
      await proxy.close();
      await fake.stop();
    },
  };
}

/** The real PolymarketAdapter against the fake CLOB (test/fakes/polymarket), behind the killing proxy. */
async function polymarketTarget(): Promise<Target> {
  const marketId = 'real-madrid-ucl-2027'; // Polymarket only
  const yes = demoTokenId(marketId, 'yes');
  const clob = new FakeClob({ chainId: 137 });
  await clob.start();
  clob.engine.addMarket({ conditionId: demoConditionId(marketId), tokens: [{ tokenId: yes, outcome: 'Yes' }, { tokenId: demoTokenId(marketId, 'no'), outcome: 'No' }] });
  const wallet = generateSubWallet();
  const apiCreds = await createOrDeriveApiCreds({ privateKey: wallet.privateKey, clobUrl: clob.url, chainId: 137 });
  const creds: PolymarketCredentials = { privateKey: wallet.privateKey, address: wallet.address, signatureType: 0, apiCreds };
  clob.fund({ address: wallet.address, usdc: '1000000' });
  const other = generateSubWallet().address;
  clob.fund({ address: other, usdc: '0', tokens: { [yes]: '1000000' } });
  // Asks: 3 YES at 0.38 (a buy at 0.40/0.45 takes them and rests), plenty at 0.55.
  const seed = () => clob.engine.seedBook({ tokenId: yes, asks: [{ price: '0.38', size: '3' }, { price: '0.55', size: '100000' }] });
  seed();
  const proxy = await CrashProxy.start({
    upstream: clob.url,
    classify: (method, path) => (path === '/order' ? (method === 'POST' ? 'place' : method === 'DELETE' ? 'cancel' : null) : null),
  });
  const mine = () => [...clob.engine.orders.values()].filter((o) => o.maker === wallet.address.toLowerCase());
  let n = 0;
  return {
    name: 'Polymarket (real adapter, fake CLOB)',
    venue: 'polymarket',
    flavour: 'polymarket',
    marketId,
    url: proxy.url,
    extraEnv: { CRASH_PM_CREDS: JSON.stringify(creds) },
    arm: (p) => proxy.arm(p),
    disarm: () => proxy.disarm(),
    firedAt: () => proxy.firedAt(),
    between(rng) {
      // Another trader sells into our resting bids; the venue cancels a few; the book refills.
      const size = new Decimal(3 + Math.floor(rng() * 20));
      clob.engine.execute({
        id: `0xother${++n}`, maker: other, owner: 'other', tokenId: yes, side: 'SELL', price: new Decimal('0.20'),
        makerAmount: size, takerAmount: size.mul('0.20'), orderType: 'FAK', expiration: '0', postOnly: false,
      });
      for (const o of mine()) if (o.status === 'LIVE' && rng() < 0.15) clob.engine.cancel(o.id);
      seed();
    },
    facts: () =>
      mine().map((o) => {
        const trades: string[] = [];
        for (const t of clob.engine.trades) {
          if (t.takerOrderId === o.id) trades.push(`${t.id}:${t.size.toFixed()}`);
          for (const m of t.makerOrders) if (m.orderId === o.id) trades.push(`${t.id}:${o.id}:${m.matchedAmount.toFixed()}`);
        }
        // The client order id is yesno's own: find it by the hash stored before sending.
        return {
          clientOrderId: `hash:${o.id}`,
          venueOrderId: o.id,
          status: statusOf(o.status === 'LIVE' ? 'open' : o.status === 'MATCHED' ? 'filled' : 'cancelled', o.sizeMatched.toNumber()),
          filled: o.sizeMatched.toFixed(),
          trades,
        };
      }),
    async close() {
      await proxy.close();
      await clob.stop();
    },
  };
}

async function runVenue(args: { db: TestDatabase; userId: string; target: Target; seed: number }) {
  const { target } = args;
  const rng = mulberry(args.seed);
  const rounds: RoundLog[] = [];
  const base = {
    dbUrl: args.db.url,
    venueUrl: target.url,
    venue: target.venue,
    flavour: target.flavour,
    userId: args.userId,
    marketId: target.marketId,
    graceMs: GRACE_MS,
    extraEnv: target.extraEnv,
  };
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
      const { ms: readyMs, coreMs, startupMs } = await child.ready;
      // The next process loads its code meanwhile; it starts only after this one is dead.
      next = spawnCrashChild({ ...base, seed: args.seed * 100 + round + 1, mode: round + 1 < ROUNDS_PER_VENUE ? 'trade' : 'reconcile' });
      // Every kind of kill point comes round (placements twice as often as cancels); which request
      // and how many ms after the answer are random.
      const [on, point] = PLANS[(round + args.seed) % PLANS.length]!;
      target.arm({ on, nth: on === 'cancel' ? 1 : 1 + Math.floor(rng() * 3), point, delayMs: Math.floor(rng() * 6), kill: () => child.kill() });
      // A round whose armed request does not come (no resting order to cancel) ends after the child
      // has done TIMER_OPS more requests: counted in the child's work, not in wall time, so a loaded
      // machine (a slower child) does not turn venue kills into timer kills. The wall-clock bound only
      // catches a child that stopped working.
      const opsAtArm = child.events.length;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        target.firedAt()!.then(() => 'fired' as const),
        child.exited.then(() => 'exited' as const),
        new Promise<'timer'>((r) => {
          const started = performance.now();
          const poll = () => (child.events.length - opsAtArm >= TIMER_OPS || performance.now() - started > 60_000 ? r('timer') : (timer = setTimeout(poll, 25)));
          poll();
        }),
      ]);
      clearTimeout(timer);
      target.disarm();
      if (outcome === 'exited') {
        // The child died on its own (unless the venue's kill raced this): a bug, show its stderr.
        const fired = await Promise.race([target.firedAt()!.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
        if (!fired) throw new Error(`${target.name} round ${round}: the child exited by itself:\n${child.stderr()}`);
      }
      await child.kill(); // a timer round: killed wherever it is (a random point)
      rounds.push({ round, on: outcome === 'timer' ? 'timer' : on, point: outcome === 'timer' ? 'timer' : point, readyMs, coreMs, startupMs, roundMs: performance.now() - t0, orders: child.events.filter((e) => e.event === 'placed').length });
      // While yesno is down, the venue keeps trading.
      target.between(rng);
    }
    // A last start after the grace period: its startup sync settles everything; it then exits.
    await new Promise((r) => setTimeout(r, GRACE_MS + 50));
    const last = next;
    await last.loaded;
    last.go();
    await last.ready;
    const exit = await last.exited;
    expect(exit.code, last.stderr()).toBe(0);
    return { rounds, ms: performance.now() - started };
  } finally {
    await current?.kill();
    await next.kill();
  }
}

async function verify(db: TestDatabase, userId: string, target: Target) {
  const facts = target.facts();
  // No duplicate venue orders: at most one per client order id.
  const perClientId = new Map<string, number>();
  for (const f of facts) perClientId.set(f.clientOrderId, (perClientId.get(f.clientOrderId) ?? 0) + 1);
  expect([...perClientId.entries()].filter(([, n]) => n > 1)).toEqual([]);

  const orders = await db.prisma.order.findMany({ where: { exchange: target.venue, marketId: target.marketId }, include: { fills: true } });
  // The CLOB does not echo a client id: its orders are matched to yesno's by the hash stored before sending.
  const byClientId = new Map(orders.map((o) => [target.flavour === 'polymarket' ? `hash:${o.venueOrderId}` : o.clientOrderId, o]));
  for (const f of facts) {
    const o = byClientId.get(f.clientOrderId);
    expect(o, `${target.name}: venue order ${f.venueOrderId} unknown to yesno`).toBeDefined();
    expect({ venueOrderId: o!.venueOrderId, status: o!.status, filled: dec(o!.filledQuantity).toFixed() }).toEqual({ venueOrderId: f.venueOrderId, status: f.status, filled: f.filled });
    expect(o!.fills.map((x) => `${x.venueTradeId}:${dec(x.quantity).toFixed()}`).sort()).toEqual([...f.trades].sort());
  }
  const atVenue = new Set(facts.map((f) => f.clientOrderId));
  const never = orders.filter((o) => !atVenue.has(target.flavour === 'polymarket' ? `hash:${o.venueOrderId}` : o.clientOrderId));
  for (const o of never) {
    expect({ id: o.id, status: o.status, fills: o.fills.length }).toEqual({ id: o.id, status: 'failed', fills: 0 });
    // Only a prepared id (hash venue) can exist for an order the venue never got.
    if (target.flavour === 'client' || target.flavour === 'kalshi') expect(o.venueOrderId).toBeNull();
  }
  expect(orders.filter((o) => o.status === 'created')).toEqual([]);
  // The position is the sum of the venue's fills (every fill counted once).
  const traded = facts.reduce((n, f) => n.add(dec(f.filled)), dec(0));
  const pos = await db.prisma.position.findFirst({ where: { userId, marketId: target.marketId, side: 'yes' } });
  expect(pos ? dec(pos.quantity).toFixed() : '0').toBe(traded.toFixed());
  return { venueOrders: facts.length, yesnoOrders: orders.length, neverReceived: never.length, traded: traded.toFixed() };
}

describe('crash recovery (SIGKILL between sending an order and storing the answer)', () => {
  // One database per venue under test: a startup sync reconciles every open order of its venue.
  const dbs: TestDatabase[] = [];
  async function freshDb(): Promise<{ db: TestDatabase; userId: string }> {
    const db = await createTestDatabase();
    dbs.push(db);
    await seedCatalog(db.prisma, DEMO_CATALOG);
    return { db, userId: (await db.prisma.user.create({ data: { name: 'crash' } })).id };
  }
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it(`${ROUNDS_PER_VENUE * VENUES.length} kills over ${VENUES.length} venues: no duplicate venue orders, every venue order known with its status and fills`, { timeout: 240_000 }, async () => {
    const make: Record<string, () => Promise<Target>> = { hash: hashTarget, kalshi: kalshiTarget, polymarket: polymarketTarget };
    const targets = await Promise.all(VENUES.map((v) => make[v]!()));
    const envs = await Promise.all(targets.map(() => freshDb()));
    try {
      const runs = await Promise.all(targets.map((target, i) => runVenue({ ...envs[i]!, target, seed: SEED + i })));
      const summary: string[] = [];
      for (const [i, target] of targets.entries()) summary.push(`${target.name}: ${Math.round(runs[i]!.ms)} ms ${JSON.stringify(await verify(envs[i]!.db, envs[i]!.userId, target))}`);
      const rounds = runs.flatMap((r) => r.rounds);
      const points = rounds.reduce<Record<string, number>>((acc, r) => ((acc[`${r.on}/${r.point}`] = (acc[`${r.on}/${r.point}`] ?? 0) + 1), acc), {});
      const p50 = (k: 'readyMs' | 'coreMs' | 'startupMs') => Math.round(rounds.map((r) => r[k]).sort((a, b) => a - b)[rounds.length >> 1]!);
      const readyMs = rounds.map((r) => r.readyMs).sort((a, b) => a - b);
      console.log(
        `[crash] seed ${SEED}: ${rounds.length} kills ${JSON.stringify(points)}; restart to ready p50 ${p50('readyMs')} ms (core ${p50('coreMs')}, startup sync ${p50('startupMs')}), max ${Math.round(readyMs[readyMs.length - 1]!)} ms; ${summary.join('; ')}`,
      );
      expect(rounds.length).toBeGreaterThanOrEqual(20);
      expect(rounds.filter((r) => r.point !== 'timer').length).toBeGreaterThanOrEqual(15);
    } finally {
      for (const t of targets) await t.close();
    }
  });
});
