/**
 * The order hot path's one-round-trip write (core/orders/first-answer.ts) against real Postgres and
 * real pg-boss: it must leave exactly what the general path (OrderStore.applyVenueOrder's
 * transaction) leaves — order row, fills, position, outbox rows, one delivery job per row — and step
 * aside, writing nothing, whenever the order is no longer as created.
 */
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { OrderStore } from '../../core/orders/order-store.ts';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { dec } from '../../core/money.ts';
import type { VenueFill, VenueOrder } from '../../core/exchanges/types.ts';
import { QUEUES, type JobPort } from '../../core/notifications/types.ts';
import { createBoss, createJobPort, startBoss } from '../../jobs/index.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let boss: PgBoss;
let port: JobPort;
let store: OrderStore;
/** The same store without the fast path (its job port has no insertSql): the reference. */
let reference: OrderStore;
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  boss = createBoss({ connectionString: db.url, log: pino({ level: 'silent' }), max: 2, supervise: false });
  await startBoss(boss);
  port = createJobPort(boss);
  store = new OrderStore({ prisma, jobs: port });
  reference = new OrderStore({ prisma, jobs: { send: port.send, sendMany: port.sendMany } });
  userId = (await prisma.user.create({ data: { name: 'fast' } })).id;
  await prisma.market.create({
    data: {
      id: 'm1',
      slug: 'm1',
      title: 'Market one',
      category: 'test',
      listings: { create: { id: 'm1:polymarket', venue: 'polymarket', venueMarketId: '0xm1', tickSize: '0.01', minSize: '1' } },
    },
  });
}, 60_000);

afterAll(async () => {
  await boss?.stop({ graceful: false }).catch(() => {});
  await db?.drop();
});

let seq = 0;
function newOrder(s: OrderStore, over: Partial<Prisma.OrderUncheckedCreateInput> = {}) {
  seq++;
  return s.create({
    userId,
    marketId: 'm1',
    listingId: 'm1:polymarket',
    side: 'yes',
    type: 'market',
    action: 'buy',
    price: '0.6',
    quantity: '0',
    amount: '5',
    exchange: 'polymarket',
    timeInForce: 'FAK',
    clientOrderId: `fa-${seq}-${Math.random()}`,
    routing: { venue: 'polymarket', reason: 'only venue' },
    ...over,
  });
}

const fill = (tid: string, qty: string, price: string, fee = '0'): VenueFill => ({
  venueTradeId: tid,
  venueOrderId: 'v',
  price: dec(price),
  quantity: dec(qty),
  fee: dec(fee),
  filledAt: new Date('2026-01-02T03:04:05.678Z'),
});
const answer = (status: VenueOrder['status'], fills: VenueFill[], quantity: string, extra: Partial<VenueOrder> = {}): VenueOrder => ({
  venueOrderId: `v-${seq}`,
  clientOrderId: 'c',
  status,
  quantity: dec(quantity),
  filledQuantity: fills.reduce((s, f) => s.add(f.quantity), dec(0)),
  fills,
  ...extra,
});

async function outboxOf(orderId: string) {
  return prisma.notificationOutbox.findMany({ where: { orderId }, orderBy: [{ kind: 'asc' }, { dedupeKey: 'asc' }] });
}
async function jobsFor(outboxIds: string[]) {
  const rows = await prisma.$queryRaw<{ outboxId: string }[]>`
    SELECT data->>'outboxId' AS "outboxId" FROM pgboss.job WHERE name = ${QUEUES.notify} AND data->>'outboxId' = ANY(${outboxIds})`;
  return rows.map((r) => r.outboxId).sort();
}
/** Delivery jobs whose outbox row does not exist (a rolled-back change must leave none). */
async function orphanJobs() {
  const [r] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pgboss.job j WHERE j.name = ${QUEUES.notify}
      AND NOT EXISTS (SELECT 1 FROM "NotificationOutbox" o WHERE o.id::text = j.data->>'outboxId')`;
  return r!.n;
}
/** What both paths must agree on, ids and times left out. */
function comparable(o: Awaited<ReturnType<OrderStore['create']>>) {
  return {
    status: o.status,
    quantity: o.quantity.toString(),
    filledQuantity: o.filledQuantity.toString(),
    avgFillPrice: o.avgFillPrice?.toString() ?? null,
    fee: o.fee.toString(),
    failureReason: o.failureReason,
    venueOrderId: o.venueOrderId !== null,
    submittedAt: o.submittedAt instanceof Date,
    completedAt: o.completedAt instanceof Date,
    lateFillQuantity: o.lateFillQuantity.toString(),
  };
}
const payloads = (rows: Awaited<ReturnType<typeof outboxOf>>) =>
  rows.map((r) => {
    const { orderId: _o, fillId: _f, ...rest } = r.payload as Record<string, unknown>;
    return { kind: r.kind, dedupeKind: r.dedupeKey.split(':')[0], payload: rest };
  }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('the first venue answer in one round trip', () => {
  it('fills, position, outbox rows and their jobs: the same as the general path', async () => {
    const t = seq;
    const a = answer('filled', [fill(`t${t}a`, '5', '0.5'), fill(`t${t}b`, '2.5', '0.6', '0.01')], '7.5');
    const fastBefore = store.firstAnswerStats.fast;
    const order = await newOrder(store);
    const res = await store.applyVenueOrder(order.id, { ...a, fills: a.fills.map((f) => ({ ...f, venueTradeId: `x-${f.venueTradeId}` })) });
    expect(store.firstAnswerStats.fast).toBe(fastBefore + 1);

    const ref = await newOrder(reference);
    const refRes = await reference.applyVenueOrder(ref.id, { ...a, fills: a.fills.map((f) => ({ ...f, venueTradeId: `y-${f.venueTradeId}` })) });
    expect(reference.firstAnswerStats.fast).toBe(0);

    expect(res.transitions).toEqual([{ from: 'created', to: 'filled' }]);
    expect(res.transitions).toEqual(refRes.transitions);
    expect(res.newFills).toBe(2);
    expect(comparable(res.order)).toEqual(comparable(refRes.order));
    expect(comparable(res.order)).toMatchObject({ status: 'filled', quantity: '7.5', filledQuantity: '7.5', avgFillPrice: '0.533333', fee: '0.01' });
    // The returned row is the stored row, typed as Prisma hands it out.
    const stored = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(res.order).toEqual(stored);
    expect(res.order.price).toBeInstanceOf(Prisma.Decimal);
    expect(Math.abs(stored.createdAt.getTime() - Date.now())).toBeLessThan(60_000);

    const fills = await prisma.fill.findMany({ where: { orderId: order.id }, orderBy: { venueTradeId: 'asc' } });
    expect(fills.map((f) => [f.venueTradeId, f.quantity.toString(), f.price.toString(), f.fee.toString(), f.late, f.filledAt.toISOString()])).toEqual([
      [`x-t${t}a`, '5', '0.5', '0', false, '2026-01-02T03:04:05.678Z'],
      [`x-t${t}b`, '2.5', '0.6', '0.01', false, '2026-01-02T03:04:05.678Z'],
    ]);

    const out = await outboxOf(order.id);
    expect(payloads(out)).toEqual(payloads(await outboxOf(ref.id)));
    expect(out.map((r) => r.dedupeKey).sort()).toEqual([...fills.map((f) => `fill:${f.id}`), `order:${order.id}:filled`].sort());
    expect(await jobsFor(out.map((r) => r.id))).toEqual(out.map((r) => r.id).sort());

    // Both orders bought into the same position: 2 × 7.5 shares at 2 × (2.5 + 1.5 + 0.01) cost.
    const pos = await prisma.position.findFirstOrThrow({ where: { userId, listingId: 'm1:polymarket', side: 'yes' } });
    expect([pos.quantity.toString(), pos.costBasis.toString(), pos.avgPrice.toString()]).toEqual(['15', '8.02', '0.534667']);
  });

  it('a sell: realised PnL and the position exactly as the general path computes them', async () => {
    const before = await prisma.position.findFirstOrThrow({ where: { userId, listingId: 'm1:polymarket', side: 'yes' } });
    const sell = await newOrder(store, { action: 'sell', type: 'limit', amount: null, quantity: '3', price: '0.7', timeInForce: 'GTC' });
    await store.applyVenueOrder(sell.id, answer('filled', [fill(`s${seq}`, '3', '0.7', '0.02')], '3'));
    const mid = await prisma.position.findFirstOrThrow({ where: { id: before.id } });
    const sell2 = await newOrder(reference, { action: 'sell', type: 'limit', amount: null, quantity: '3', price: '0.7', timeInForce: 'GTC' });
    await reference.applyVenueOrder(sell2.id, answer('filled', [fill(`s${seq}`, '3', '0.7', '0.02')], '3'));
    const after = await prisma.position.findFirstOrThrow({ where: { id: before.id } });
    // Same arithmetic both times: the second sell takes the same share of a smaller position.
    expect(mid.quantity.toString()).toBe('12');
    expect(mid.realizedPnl.toString()).toBe(dec('2.08').sub(dec('8.02').mul(3).div(15).toDecimalPlaces(6)).toFixed());
    expect(after.quantity.toString()).toBe('9');
    expect(dec(after.realizedPnl).sub(dec(mid.realizedPnl)).toFixed()).toBe(dec('2.08').sub(dec(mid.costBasis).mul(3).div(12).toDecimalPlaces(6)).toFixed());
    expect(store.firstAnswerStats.fallback.size).toBe(0);
  });

  it('a rejection: created → failed with the venue reason, one status row and its job', async () => {
    const order = await newOrder(store);
    const res = await store.applyVenueOrder(order.id, answer('rejected', [], '0', { reason: "it's closed" }));
    expect(res.order.status).toBe('failed');
    expect(res.order.failureReason).toBe("it's closed");
    const out = await outboxOf(order.id);
    expect(out.map((r) => r.payload)).toEqual([{ kind: 'order_status', orderId: order.id, status: 'failed', previous: 'created', reason: "it's closed" }]);
    expect(await jobsFor(out.map((r) => r.id))).toEqual([out[0]!.id]);
  });

  it('an order a venue event moved first: the fast path writes nothing and the general path applies the answer once', async () => {
    const order = await newOrder(store);
    const f1 = fill(`r${seq}-1`, '4', '0.5');
    const f2 = fill(`r${seq}-2`, '6', '0.5');
    // The event arrives through another writer before the placement's answer.
    await reference.applyVenueOrder(order.id, answer('open', [f1], '10'));
    const fallbacks = store.firstAnswerStats.fallback.get('order moved on') ?? 0;
    const res = await store.applyVenueOrder(order.id, answer('filled', [f1, f2], '10'));
    expect(store.firstAnswerStats.fallback.get('order moved on')).toBe(fallbacks + 1);
    expect(res.order.status).toBe('filled');
    expect(res.order.filledQuantity.toString()).toBe('10');
    expect(await prisma.fill.count({ where: { orderId: order.id } })).toBe(2);
    const out = await outboxOf(order.id);
    expect(out.map((r) => r.dedupeKey.replace(/:[0-9a-f-]{36}/, ':id')).sort()).toEqual(
      ['fill:id', 'fill:id', 'order:id:filled', 'order:id:partial', 'order:id:pending'].sort(),
    );
    expect((await jobsFor(out.map((r) => r.id))).length).toBe(5);
    expect(await orphanJobs()).toBe(0);
  });

  it('a trade id already stored: nothing half-written, the general path skips the duplicate', async () => {
    const first = await newOrder(reference);
    await reference.applyVenueOrder(first.id, answer('filled', [fill(`d${seq}`, '2', '0.5')], '2'));
    const tid = `d${seq}`;
    const order = await newOrder(store);
    const dupes = store.firstAnswerStats.fallback.get('duplicate') ?? 0;
    const res = await store.applyVenueOrder(order.id, answer('filled', [fill(tid, '2', '0.5'), fill(`e${seq}`, '1', '0.5')], '3'));
    expect(store.firstAnswerStats.fallback.get('duplicate')).toBe(dupes + 1);
    expect(await prisma.fill.count({ where: { orderId: order.id } })).toBe(1);
    expect(res.order.filledQuantity.toString()).toBe('1');
    expect((await outboxOf(order.id)).length).toBe(2); // one fill, one status
    expect(await orphanJobs()).toBe(0);
  });

  it('a venue id stored before the answer (sent before sending) is kept', async () => {
    const order = await newOrder(store);
    await prisma.order.update({ where: { id: order.id }, data: { venueOrderId: 'stored-first' } });
    const res = await store.applyVenueOrder(order.id, answer('filled', [fill(`k${seq}`, '1', '0.5')], '1', { venueOrderId: 'other' }));
    expect(res.order.venueOrderId).toBe('stored-first');
    expect(res.order.status).toBe('filled');
  });

  it('the jobs are inserted without NOTIFY in the order transaction; the workers are woken after the commit', async () => {
    const ins = await port.insertSql!({ queue: QUEUES.notify, jobs: [{ data: { outboxId: '00000000-0000-4000-8000-000000000000' } }] });
    expect(ins.sql).toMatch(/^\s*INSERT INTO pgboss\./);
    expect(ins.sql).not.toMatch(/pg_notify|\$[02-9]/);
    expect(ins.sql.split('$1').length).toBe(2);
    expect(JSON.parse(ins.json)).toMatchObject([{ data: { outboxId: '00000000-0000-4000-8000-000000000000' } }]);
    // Built once per queue, then from the cache: the same statement, the jobs' JSON in the same shape.
    const jobs = [{ data: { outboxId: '00000000-0000-4000-8000-000000000001' }, singletonKey: 'k1' }, { data: { outboxId: 'x' } }];
    const fresh = await createJobPort(boss).insertSql!({ queue: QUEUES.notify, jobs });
    const cached = await port.insertSql!({ queue: QUEUES.notify, jobs });
    expect(cached).toEqual(fresh);
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const [{ c }] = (await listener.query<{ c: string }>(`SELECT 'pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24) AS c`)).rows as [{ c: string }];
      await listener.query(`LISTEN "${c}"`);
      const woken = new Promise<string | undefined>((resolve) => listener.on('notification', (n) => resolve(n.payload)));
      const order = await newOrder(store);
      await store.applyVenueOrder(order.id, answer('filled', [fill(`w${seq}`, '1', '0.5')], '1'));
      expect(await Promise.race([woken, new Promise((r) => setTimeout(() => r('timeout'), 15_000))])).toBe(QUEUES.notify);
    } finally {
      await listener.end();
    }
  });

  it('create: a duplicate idempotency key is Prisma P2002, as callers expect', async () => {
    await newOrder(store, { idempotencyKey: 'same key' });
    const err = await newOrder(store, { idempotencyKey: 'same key' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((err as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
  });
});
