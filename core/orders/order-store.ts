/**
 * The Postgres side of the order state machine: creating orders, compare-and-set transitions,
 * recording fills once, deriving filledQuantity / avgFillPrice / fee from the stored fills,
 * keeping positions in step with fills, and writing the outbox, all in one transaction per change.
 */
import type { Prisma, Order } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { Decimal, ZERO, dec } from '../money.ts';
import type { VenueFill, VenueOrder } from '../exchanges/types.ts';
import { writeOutbox, type OutboxEntry } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import type { OrderStatus } from '../trading/types.ts';
import { assertTransition, canTransition, isTerminal, nextStatusFor } from './state-machine.ts';

type Tx = Prisma.TransactionClient;

export interface ApplyResult {
  order: Order;
  /** Status transitions made, in order. */
  transitions: { from: OrderStatus; to: OrderStatus }[];
  newFills: number;
  /** Fills that arrived after the order was terminal. */
  lateFills: number;
}

export class OrderStore {
  constructor(private readonly deps: { prisma: Db; jobs: JobPort; clock?: () => Date }) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Inserts a new order in `created`. Throws Prisma P2002 on a duplicate idempotency key. */
  async create(data: Prisma.OrderUncheckedCreateInput): Promise<Order> {
    return this.deps.prisma.order.create({ data: { ...data, status: 'created' } });
  }

  findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<Order | null> {
    return this.deps.prisma.order.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
  }

  findByClientOrderId(clientOrderId: string): Promise<Order | null> {
    return this.deps.prisma.order.findUnique({ where: { clientOrderId } });
  }

  /**
   * A single compare-and-set transition (no fills), e.g. created → failed, created → cancelled.
   * Returns the updated order, or null when another writer moved it first.
   */
  async transition(args: {
    orderId: string;
    from: OrderStatus;
    to: OrderStatus;
    patch?: Prisma.OrderUncheckedUpdateManyInput;
    reason?: string;
  }): Promise<Order | null> {
    assertTransition(args.from, args.to);
    return this.deps.prisma.$transaction(async (tx) => {
      const won = await this.cas(tx, args.orderId, args.from, args.to, args.patch ?? {});
      if (!won) return null;
      const order = await tx.order.findUniqueOrThrow({ where: { id: args.orderId } });
      await writeOutbox(tx, this.deps.jobs, [statusEntry(order, args.from, args.to, args.reason ?? order.failureReason)]);
      return order;
    });
  }

  /**
   * Applies what the venue says about an order: stores new fills once, re-derives the aggregates from
   * all stored fills, moves the status through the table, updates the position and writes the outbox.
   * Idempotent: applying the same venue state twice changes nothing the second time.
   */
  async applyVenueOrder(orderId: string, venue: VenueOrder, extra?: { failureReason?: string }): Promise<ApplyResult> {
    return this.deps.prisma.$transaction(async (tx) => {
      // Serialise writers of this order (venue events racing the placement response).
      await tx.$queryRaw`SELECT 1 FROM "Order" WHERE id = ${orderId}::uuid FOR UPDATE`;
      const before = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
      const wasTerminal = isTerminal(before.status);
      const inserted = await this.insertFills(tx, before, venue.fills, wasTerminal);
      const outbox: OutboxEntry[] = [];
      for (const f of inserted) outbox.push(fillEntry(before, f, wasTerminal));
      if (inserted.length > 0) await this.applyToPosition(tx, before, inserted);

      const agg = await this.aggregate(tx, orderId);
      const patch: Prisma.OrderUncheckedUpdateManyInput = {
        filledQuantity: agg.quantity.toFixed(),
        avgFillPrice: agg.avgPrice ? agg.avgPrice.toDecimalPlaces(6).toFixed() : null,
        fee: agg.fee.toFixed(),
      };
      if (!before.venueOrderId && venue.venueOrderId) patch.venueOrderId = venue.venueOrderId;
      if (!before.submittedAt) patch.submittedAt = this.now();
      // A buy by amount is sized by the venue: record the quantity it settled on.
      if (before.amount && venue.quantity.gt(0) && !dec(before.quantity).eq(venue.quantity)) patch.quantity = venue.quantity.toFixed();
      if (wasTerminal && inserted.length > 0) {
        const lateQty = inserted.reduce((s, f) => s.add(f.quantity), ZERO);
        patch.lateFillQuantity = dec(before.lateFillQuantity).add(lateQty).toFixed();
      }

      const transitions: { from: OrderStatus; to: OrderStatus }[] = [];
      let status = before.status as OrderStatus;
      const requested = patch.quantity ? dec(patch.quantity as string) : dec(before.quantity);
      const filled = venue.status === 'filled' || (requested.gt(0) && agg.quantity.gte(requested));
      // At most two steps (created → pending → partial); each one a compare-and-set.
      for (let step = 0; step < 2; step++) {
        const next = nextStatusFor({ current: status, filled, anyFill: agg.quantity.gt(0), venueStatus: venue.status });
        if (!next) break;
        const data: Prisma.OrderUncheckedUpdateManyInput = { ...patch };
        if (isTerminal(next)) data.completedAt = this.now();
        if (next === 'failed' || next === 'cancelled') data.failureReason = extra?.failureReason ?? venue.reason ?? before.failureReason;
        if (!(await this.cas(tx, orderId, status, next, data))) break;
        transitions.push({ from: status, to: next });
        status = next;
      }
      if (transitions.length === 0) {
        await tx.order.updateMany({ where: { id: orderId, status }, data: patch });
      }
      const after = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
      for (const t of transitions) outbox.push(statusEntry(after, t.from, t.to, after.failureReason));
      await writeOutbox(tx, this.deps.jobs, outbox);
      return { order: after, transitions, newFills: inserted.length, lateFills: wasTerminal ? inserted.length : 0 };
    });
  }

  /** UPDATE ... WHERE id = $1 AND status = $from: true when this writer won. */
  private async cas(tx: Tx, orderId: string, from: OrderStatus, to: OrderStatus, data: Prisma.OrderUncheckedUpdateManyInput): Promise<boolean> {
    if (!canTransition(from, to)) return false;
    const res = await tx.order.updateMany({ where: { id: orderId, status: from }, data: { ...data, status: to } });
    return res.count === 1;
  }

  private async insertFills(tx: Tx, order: Order, fills: VenueFill[], late: boolean) {
    if (fills.length === 0) return [];
    return tx.fill.createManyAndReturn({
      data: fills.map((f) => ({
        orderId: order.id,
        venue: order.exchange,
        venueTradeId: f.venueTradeId,
        price: f.price.toFixed(),
        quantity: f.quantity.toFixed(),
        fee: f.fee.toFixed(),
        late,
        filledAt: f.filledAt,
      })),
      skipDuplicates: true,
    });
  }

  private async aggregate(tx: Tx, orderId: string): Promise<{ quantity: Decimal; avgPrice: Decimal | null; fee: Decimal }> {
    const rows = await tx.$queryRaw<{ q: string; n: string; f: string }[]>`
      SELECT COALESCE(SUM(quantity), 0)::text AS q, COALESCE(SUM(quantity * price), 0)::text AS n, COALESCE(SUM(fee), 0)::text AS f
      FROM "Fill" WHERE "orderId" = ${orderId}::uuid`;
    const r = rows[0]!;
    const quantity = dec(r.q);
    return { quantity, avgPrice: quantity.gt(0) ? dec(r.n).div(quantity) : null, fee: dec(r.f) };
  }

  /** Keeps the user's position in step with the fills (atomic in SQL, safe under concurrent orders). */
  private async applyToPosition(tx: Tx, order: Order, fills: { price: unknown; quantity: unknown; fee: unknown }[]): Promise<void> {
    let qty = ZERO;
    let notional = ZERO;
    let fee = ZERO;
    for (const f of fills) {
      const q = dec(f.quantity as string);
      qty = qty.add(q);
      notional = notional.add(q.mul(dec(f.price as string)));
      fee = fee.add(dec(f.fee as string));
    }
    if (order.action === 'buy') {
      const cost = notional.add(fee).toFixed();
      await tx.$executeRaw`
        INSERT INTO "Position" (id, "userId", "listingId", "marketId", exchange, side, quantity, "avgPrice", "costBasis", "updatedAt")
        VALUES (gen_random_uuid(), ${order.userId}::uuid, ${order.listingId}, ${order.marketId}, ${order.exchange}, ${order.side},
                ${qty.toFixed()}::numeric, ROUND(${cost}::numeric / ${qty.toFixed()}::numeric, 6), ${cost}::numeric, now())
        ON CONFLICT ("userId", "listingId", side) DO UPDATE SET
          quantity = "Position".quantity + EXCLUDED.quantity,
          "costBasis" = "Position"."costBasis" + EXCLUDED."costBasis",
          "avgPrice" = ROUND(("Position"."costBasis" + EXCLUDED."costBasis") / NULLIF("Position".quantity + EXCLUDED.quantity, 0), 6),
          "updatedAt" = now()`;
    } else {
      // Realised PnL = proceeds − fee − cost of the shares sold (at the average cost).
      await tx.$executeRaw`
        UPDATE "Position" SET
          "realizedPnl" = "realizedPnl" + ${notional.sub(fee).toFixed()}::numeric - ROUND("costBasis" * LEAST(${qty.toFixed()}::numeric / NULLIF(quantity, 0), 1), 6),
          "costBasis" = "costBasis" - ROUND("costBasis" * LEAST(${qty.toFixed()}::numeric / NULLIF(quantity, 0), 1), 6),
          quantity = quantity - ${qty.toFixed()}::numeric,
          "takeProfitPrice" = CASE WHEN quantity - ${qty.toFixed()}::numeric <= 0 THEN NULL ELSE "takeProfitPrice" END,
          "stopLossPrice" = CASE WHEN quantity - ${qty.toFixed()}::numeric <= 0 THEN NULL ELSE "stopLossPrice" END,
          "updatedAt" = now()
        WHERE "userId" = ${order.userId}::uuid AND "listingId" = ${order.listingId} AND side = ${order.side}`;
    }
  }
}

function statusEntry(order: Order, from: OrderStatus, to: OrderStatus, reason: string | null): OutboxEntry {
  return {
    userId: order.userId,
    orderId: order.id,
    dedupeKey: `order:${order.id}:${to}`,
    payload: { kind: 'order_status', orderId: order.id, status: to, previous: from, reason },
  };
}

function fillEntry(order: Order, fill: { id: string; price: unknown; quantity: unknown; fee: unknown }, late: boolean): OutboxEntry {
  return {
    userId: order.userId,
    orderId: order.id,
    dedupeKey: `fill:${fill.id}`,
    payload: {
      kind: 'order_fill',
      orderId: order.id,
      fillId: fill.id,
      price: dec(fill.price as string).toFixed(),
      quantity: dec(fill.quantity as string).toFixed(),
      fee: dec(fill.fee as string).toFixed(),
      late,
    },
  };
}
