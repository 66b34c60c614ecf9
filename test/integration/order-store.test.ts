/**
 * OrderStore against real Postgres: compare-and-set transitions, fills stored once, aggregates
 * derived from fills, late fills, outbox rows, and a property test over random venue event streams
 * (duplicates, reordering, concurrency, late fills).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db.ts';
import { OrderStore } from '../../core/orders/order-store.ts';
import { canTransition, isTerminal } from '../../core/orders/state-machine.ts';
import { Decimal, dec } from '../../core/money.ts';
import type { VenueFill, VenueOrder } from '../../core/exchanges/types.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import type { OrderStatus } from '../../core/trading/types.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient;
let store: OrderStore;
let userId: string;
const sent: unknown[] = [];
const jobs: JobPort = { send: async (args) => void sent.push(args.data) };

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  store = new OrderStore({ prisma, jobs });
  const user = await prisma.user.create({ data: { name: 'alice' } });
  userId = user.id;
  await prisma.market.create({
    data: {
      id: 'm1',
      slug: 'm1',
      title: 'Market one',
      category: 'test',
      listings: { create: { id: 'm1:polymarket', venue: 'polymarket', venueMarketId: '0xm1', tickSize: '0.01', minSize: '5' } },
    },
  });
});

afterAll(async () => {
  await db?.drop();
});

let seq = 0;
async function newOrder(quantity = '10', action: 'buy' | 'sell' = 'buy') {
  seq++;
  return store.create({
    userId,
    marketId: 'm1',
    listingId: 'm1:polymarket',
    side: 'yes',
    type: 'limit',
    action,
    price: '0.5',
    quantity,
    exchange: 'polymarket',
    clientOrderId: `c-${seq}-${Math.random()}`,
  });
}

function fill(orderKey: string, i: number, qty: string, price = '0.5', fee = '0'): VenueFill {
  return { venueTradeId: `${orderKey}-t${i}`, venueOrderId: `v-${orderKey}`, price: dec(price), quantity: dec(qty), fee: dec(fee), filledAt: new Date() };
}

function snapshot(orderKey: string, status: VenueOrder['status'], fills: VenueFill[], quantity = '10'): VenueOrder {
  return {
    venueOrderId: `v-${orderKey}`,
    clientOrderId: orderKey,
    status,
    quantity: dec(quantity),
    filledQuantity: fills.reduce((s, f) => s.add(f.quantity), new Decimal(0)),
    fills,
  };
}

describe('OrderStore', () => {
  it('lets exactly one of many concurrent writers win a transition', async () => {
    const order = await newOrder();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.transition({ orderId: order.id, from: 'created', to: i % 2 ? 'cancelled' : 'failed' })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await prisma.notificationOutbox.findMany({ where: { orderId: order.id } });
    expect(rows).toHaveLength(1);
  });

  it('refuses a transition that the table forbids', async () => {
    const order = await newOrder();
    await expect(store.transition({ orderId: order.id, from: 'created', to: 'partial' })).rejects.toThrow(/cannot go from created to partial/);
    const after = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after.status).toBe('created');
  });

  it('stores duplicate fills once and derives aggregates from the stored fills', async () => {
    const order = await newOrder();
    const k = order.clientOrderId;
    const f1 = fill(k, 1, '4', '0.5', '0.01');
    const f2 = fill(k, 2, '6', '0.6', '0.02');
    await Promise.all([store.applyVenueOrder(order.id, snapshot(k, 'open', [f1])), store.applyVenueOrder(order.id, snapshot(k, 'open', [f1]))]);
    let row = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(row.status).toBe('partial');
    expect(dec(row.filledQuantity).toFixed()).toBe('4');
    const res = await store.applyVenueOrder(order.id, snapshot(k, 'filled', [f1, f2, f1]));
    expect(res.newFills).toBe(1);
    row = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(row.status).toBe('filled');
    expect(dec(row.filledQuantity).toFixed()).toBe('10');
    expect(dec(row.avgFillPrice!).toFixed()).toBe('0.56');
    expect(dec(row.fee).toFixed()).toBe('0.03');
    expect(await prisma.fill.count({ where: { orderId: order.id } })).toBe(2);
    const again = await store.applyVenueOrder(order.id, snapshot(k, 'filled', [f1, f2]));
    expect(again.transitions).toHaveLength(0);
    expect(again.newFills).toBe(0);
  });

  it('records and reports a late fill on a cancelled order without reviving it', async () => {
    const order = await newOrder();
    const k = order.clientOrderId;
    await store.applyVenueOrder(order.id, snapshot(k, 'open', []));
    await store.applyVenueOrder(order.id, snapshot(k, 'cancelled', []));
    const res = await store.applyVenueOrder(order.id, snapshot(k, 'cancelled', [fill(k, 1, '3')]));
    expect(res.lateFills).toBe(1);
    const row = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(row.status).toBe('cancelled');
    expect(dec(row.lateFillQuantity).toFixed()).toBe('3');
    expect(dec(row.filledQuantity).toFixed()).toBe('3');
    const late = await prisma.notificationOutbox.findMany({ where: { orderId: order.id, kind: 'order_fill' } });
    expect(late).toHaveLength(1);
    expect((late[0]!.payload as { late: boolean }).late).toBe(true);
  });

  it('keeps positions in step with fills: buys average in, sells realise PnL', async () => {
    const before = await prisma.position.findUnique({ where: { userId_listingId_side: { userId, listingId: 'm1:polymarket', side: 'yes' } } });
    const base = before ? dec(before.quantity) : new Decimal(0);
    const buy = await newOrder('10');
    await store.applyVenueOrder(buy.id, snapshot(buy.clientOrderId, 'filled', [fill(buy.clientOrderId, 1, '10', '0.40')]));
    const sell = await newOrder('4', 'sell');
    await store.applyVenueOrder(sell.id, snapshot(sell.clientOrderId, 'filled', [fill(sell.clientOrderId, 1, '4', '0.90')], '4'));
    const pos = await prisma.position.findUniqueOrThrow({ where: { userId_listingId_side: { userId, listingId: 'm1:polymarket', side: 'yes' } } });
    expect(dec(pos.quantity).sub(base).toFixed()).toBe('6');
  });

  it('keeps its invariants under random venue event streams (duplicates, reordering, concurrency, late fills)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 5 }),
        fc.constantFrom<'filled' | 'cancelled' | 'open'>('filled', 'cancelled', 'open'),
        fc.nat({ max: 2 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (fillQtys, ending, lateCount, picks, concurrent) => {
          const total = fillQtys.reduce((a, b) => a + b, 0);
          const quantity = ending === 'filled' ? Math.max(total, 1) : total + 5;
          const order = await newOrder(String(quantity));
          const k = order.clientOrderId;
          const fills = fillQtys.map((q, i) => fill(k, i, String(q), (0.3 + 0.05 * i).toFixed(2)));
          if (ending === 'filled' && total === 0) fills.push(fill(k, 99, String(quantity)));
          // The venue's true history: growing snapshots, then the ending, then late fills after a cancel.
          const history: VenueOrder[] = [snapshot(k, 'open', [], String(quantity))];
          for (let i = 1; i <= fills.length; i++) {
            const done = ending === 'filled' && i === fills.length;
            history.push(snapshot(k, done ? 'filled' : 'open', fills.slice(0, i), String(quantity)));
          }
          const lateFills: VenueFill[] = [];
          if (ending === 'cancelled') {
            history.push(snapshot(k, 'cancelled', fills, String(quantity)));
            for (let j = 0; j < lateCount; j++) {
              lateFills.push(fill(k, 100 + j, '1', '0.5'));
              history.push(snapshot(k, 'cancelled', [...fills, ...lateFills], String(quantity)));
            }
          }
          // Delivered: a random selection with duplicates and reordering, always including the last snapshot.
          const delivered = [...picks.map((p) => history[p % history.length]!), history[history.length - 1]!];
          if (concurrent) await Promise.all(delivered.map((s) => store.applyVenueOrder(order.id, s)));
          else for (const s of delivered) await store.applyVenueOrder(order.id, s);

          const row = await prisma.order.findUniqueOrThrow({ where: { id: order.id }, include: { fills: true } });
          const allFills = [...fills, ...lateFills];
          // 1. Each fill stored once; aggregates derived from the stored fills.
          expect(row.fills).toHaveLength(allFills.length);
          const sumQ = row.fills.reduce((s, f) => s.add(dec(f.quantity)), new Decimal(0));
          expect(dec(row.filledQuantity).eq(sumQ)).toBe(true);
          if (sumQ.gt(0)) {
            const vwap = row.fills.reduce((s, f) => s.add(dec(f.quantity).mul(dec(f.price))), new Decimal(0)).div(sumQ);
            expect(dec(row.avgFillPrice!).eq(vwap.toDecimalPlaces(6))).toBe(true);
          }
          // 2. The status path is a walk through the transition table, each status reported once.
          const statusRows = await prisma.notificationOutbox.findMany({ where: { orderId: order.id, kind: 'order_status' }, orderBy: { createdAt: 'asc' } });
          let cur: OrderStatus = 'created';
          const seen = new Set<string>();
          for (const r of statusRows) {
            const p = r.payload as { status: OrderStatus; previous: OrderStatus };
            expect(canTransition(p.previous, p.status)).toBe(true);
            expect(seen.has(p.status)).toBe(false);
            seen.add(p.status);
            cur = p.status;
          }
          expect(row.status).toBe(statusRows.length ? cur : 'created');
          // 3. The final status matches the venue's ending; terminal states absorbed later events.
          const expected: OrderStatus = ending === 'filled' ? 'filled' : ending === 'cancelled' ? 'cancelled' : fills.length ? 'partial' : 'pending';
          expect(row.status).toBe(expected);
          if (isTerminal(expected)) expect(row.completedAt).not.toBeNull();
          // 4. Every fill reported once.
          expect(await prisma.notificationOutbox.count({ where: { orderId: order.id, kind: 'order_fill' } })).toBe(allFills.length);
          // 5. Late fills are exactly those after the cancel, when it was seen before them.
          expect(dec(row.lateFillQuantity).lte(lateFills.length)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
