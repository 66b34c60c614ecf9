/**
 * The Postgres side of the order state machine: creating orders, compare-and-set transitions,
 * recording fills once, deriving filledQuantity / avgFillPrice / fee from the stored fills,
 * keeping positions in step with fills, and writing the outbox, all in one transaction per change.
 */
import { randomUUID } from 'node:crypto';
import { Prisma, type Order } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { asPrismaError, query, rawPool } from '../db/raw.ts';
import { Decimal, ZERO, dec } from '../money.ts';
import type { VenueFill, VenueOrder } from '../exchanges/types.ts';
import { writeOutbox, type OutboxEntry } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import type { OrderStatus } from '../trading/types.ts';
import { assertTransition, isTerminal, nextStatusFor } from './state-machine.ts';
import { applyFirstAnswer, orderFromRow, type Planned } from './first-answer.ts';

type Tx = Prisma.TransactionClient;

/** The order fields that fills, positions and notifications need. */
type OrderCore = Pick<Order, 'id' | 'userId' | 'listingId' | 'marketId' | 'exchange' | 'side' | 'action'>;

/** The order row as locked at the start of applyVenueOrder (decimals as text). */
export interface LockedOrder extends OrderCore {
  status: OrderStatus;
  quantity: string;
  amount: string | null;
  filledQuantity: string;
  lateFillQuantity: string;
  venueOrderId: string | null;
  submittedAt: Date | null;
  failureReason: string | null;
}

interface InsertedFillRow {
  id: string;
  price: string;
  quantity: string;
  fee: string;
}

export interface InsertedFill {
  id: string;
  price: Decimal;
  quantity: Decimal;
  fee: Decimal;
}

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

  /**
   * Orders this store created and has not applied a venue answer to yet (id → the row as created):
   * the first answer takes the one-round-trip path (first-answer.ts) when the row is still as created.
   */
  private readonly fresh = new Map<string, LockedOrder>();

  /**
   * Inserts a new order in `created` (one prepared statement). Throws Prisma P2002 on a duplicate
   * idempotency key.
   */
  async create(data: Prisma.OrderUncheckedCreateInput): Promise<Order> {
    const extra = Object.keys(data).filter((k) => !CREATE_COLUMNS.has(k));
    let order: Order;
    if (extra.length > 0) {
      order = await this.deps.prisma.order.create({ data: { ...data, status: 'created' } });
    } else {
      const now = new Date();
      const d = data as Record<string, unknown>;
      const text = (k: string) => (d[k] === undefined || d[k] === null ? null : String(d[k]));
      const rows = await query(rawPool(this.deps.prisma), INSERT_ORDER, [
        (d.id as string | undefined) ?? randomUUID(),
        d.userId,
        d.marketId,
        d.listingId,
        d.side,
        d.type,
        d.action,
        text('price'),
        text('quantity'),
        text('amount'),
        d.exchange,
        d.source ?? 'manual',
        d.timeInForce ?? 'GTC',
        text('copyTradeSubId'),
        text('counterTradeId'),
        text('sniperId'),
        d.clientOrderId,
        text('idempotencyKey'),
        d.routing === undefined || d.routing === null || d.routing === Prisma.JsonNull || d.routing === Prisma.DbNull ? null : JSON.stringify(d.routing),
        now.toISOString(),
      ]).catch((err: unknown) => {
        throw asPrismaError(err);
      });
      order = orderFromRow(rows[0]!);
    }
    if (this.fresh.size >= 10_000) this.fresh.clear(); // answers that never came (crash paths): forget them
    this.fresh.set(order.id, lockedFromOrder(order));
    return order;
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
    this.fresh.delete(args.orderId);
    return this.deps.prisma.$transaction(async (tx) => {
      const [order] = await tx.order.updateManyAndReturn({ where: { id: args.orderId, status: args.from }, data: { ...(args.patch ?? {}), status: args.to, ...(isTerminal(args.to) ? { completedAt: this.now() } : {}) } });
      if (!order) return null;
      await writeOutbox(tx, this.deps.jobs, [statusEntry(order, args.from, args.to, args.reason ?? order.failureReason)]);
      return order;
    });
  }

  /**
   * Applies what the venue says about an order: stores new fills once, re-derives the aggregates from
   * all stored fills, moves the status through the table, updates the position and writes the outbox.
   * Idempotent: applying the same venue state twice changes nothing the second time.
   * Hot path (every order): one transaction of about 8 round trips for a filled order.
   */
  async applyVenueOrder(orderId: string, venue: VenueOrder, extra?: { failureReason?: string }): Promise<ApplyResult> {
    const fresh = this.fresh.get(orderId);
    if (fresh) {
      this.fresh.delete(orderId);
      const fast = await this.applyFirst(fresh, venue, extra);
      if (fast) return fast;
    }
    return this.deps.prisma.$transaction(async (tx) => {
      // Lock and read in one statement: serialises writers of this order (venue events racing the placement response).
      const rows = await tx.$queryRaw<LockedOrder[]>`
        SELECT id::text AS id, "userId"::text AS "userId", "listingId", "marketId", exchange, side, action, status::text AS status,
               quantity::text AS quantity, amount::text AS amount, "filledQuantity"::text AS "filledQuantity",
               "lateFillQuantity"::text AS "lateFillQuantity", "venueOrderId", "submittedAt", "failureReason"
        FROM "Order" WHERE id = ${orderId}::uuid FOR UPDATE`;
      const before = rows[0];
      if (!before) throw new Error(`order ${orderId} does not exist`);
      const wasTerminal = isTerminal(before.status);
      const { inserted, totals } = await this.insertFills(tx, before, venue.fills, wasTerminal);
      const outbox: OutboxEntry[] = [];
      for (const f of inserted) outbox.push(fillEntry(before, f, wasTerminal));
      if (inserted.length > 0) await this.applyToPosition(tx, before, inserted);
      const { patch, status, transitions } = planApply({ before, venue, inserted, totals, extra, now: this.now() });
      let after: Order | null = null;
      if (transitions.length > 0) {
        const data: Prisma.OrderUncheckedUpdateManyInput = { ...patch, status };
        const updated = await tx.order.updateManyAndReturn({ where: { id: orderId, status: before.status }, data });
        after = updated[0] ?? null;
        if (!after) transitions.length = 0; // cannot happen under the row lock; never report a move that did not happen
      } else if (Object.keys(patch).length > 0) {
        after = (await tx.order.updateManyAndReturn({ where: { id: orderId }, data: patch }))[0] ?? null;
      }
      after ??= await tx.order.findUniqueOrThrow({ where: { id: orderId } });
      for (const t of transitions) outbox.push(statusEntry(after, t.from, t.to, after.failureReason));
      await writeOutbox(tx, this.deps.jobs, outbox);
      return { order: after, transitions, newFills: inserted.length, lateFills: wasTerminal ? inserted.length : 0 };
    });
  }

  /** How often the first venue answer took the one-round-trip path, and how often it fell back (by reason). */
  readonly firstAnswerStats = { fast: 0, fallback: new Map<string, number>() };

  private async applyFirst(before: LockedOrder, venue: VenueOrder, extra?: { failureReason?: string }): Promise<ApplyResult | null> {
    const res = await applyFirstAnswer({ pool: rawPool(this.deps.prisma), jobs: this.deps.jobs, before, venue, extra, now: this.now() });
    if ('fallback' in res) {
      this.firstAnswerStats.fallback.set(res.fallback, (this.firstAnswerStats.fallback.get(res.fallback) ?? 0) + 1);
      return null;
    }
    this.firstAnswerStats.fast++;
    return res;
  }

  /**
   * Inserts the fills not stored yet (unique venue trade id) and returns them with the order's new
   * totals over ALL its stored fills, in one statement. The totals are null when nothing was inserted
   * (the stored aggregates are then still right).
   */
  private async insertFills(tx: Tx, order: LockedOrder, fills: VenueFill[], late: boolean) {
    if (fills.length === 0) return { inserted: [] as InsertedFill[], totals: null };
    const values = Prisma.join(
      fills.map(
        (f) =>
          Prisma.sql`(${f.venueTradeId}, ${f.price.toFixed()}::numeric, ${f.quantity.toFixed()}::numeric, ${f.fee.toFixed()}::numeric, ${f.filledAt.toISOString()}::timestamp)`,
      ),
    );
    const rows = await tx.$queryRaw<{ fills: InsertedFillRow[] | null; q: string; n: string; f: string }[]>`
      WITH ins AS (
        INSERT INTO "Fill" (id, "orderId", venue, "venueTradeId", price, quantity, fee, late, "filledAt")
        SELECT gen_random_uuid(), ${order.id}::uuid, ${order.exchange}, v.tid, v.price, v.qty, v.fee, ${late}, v.at
        FROM (VALUES ${values}) AS v(tid, price, qty, fee, at)
        ON CONFLICT (venue, "venueTradeId") DO NOTHING
        RETURNING id, price, quantity, fee
      ), old AS (
        SELECT COALESCE(SUM(quantity), 0) AS q, COALESCE(SUM(quantity * price), 0) AS n, COALESCE(SUM(fee), 0) AS f
        FROM "Fill" WHERE "orderId" = ${order.id}::uuid
      )
      SELECT (SELECT json_agg(json_build_object('id', id, 'price', price::text, 'quantity', quantity::text, 'fee', fee::text)) FROM ins) AS fills,
             old.q::text AS q, old.n::text AS n, old.f::text AS f
      FROM old`;
    const r = rows[0]!;
    const inserted: InsertedFill[] = (r.fills ?? []).map((f) => ({ id: f.id, price: dec(f.price), quantity: dec(f.quantity), fee: dec(f.fee) }));
    if (inserted.length === 0) return { inserted, totals: null };
    // `old` is the snapshot before this statement's insert: add what was just inserted.
    let quantity = dec(r.q);
    let notional = dec(r.n);
    let fee = dec(r.f);
    for (const f of inserted) {
      quantity = quantity.add(f.quantity);
      notional = notional.add(f.quantity.mul(f.price));
      fee = fee.add(f.fee);
    }
    return { inserted, totals: { quantity, notional, fee } };
  }

  /** Keeps the user's position in step with the fills (atomic in SQL, safe under concurrent orders). */
  private async applyToPosition(tx: Tx, order: OrderCore, fills: InsertedFill[]): Promise<void> {
    const { qty, notional, fee } = fillTotals(fills);
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

/** The columns create() writes itself; any other field goes through Prisma. */
const CREATE_COLUMNS = new Set([
  'id', 'userId', 'marketId', 'listingId', 'side', 'type', 'action', 'price', 'quantity', 'amount', 'exchange', 'source',
  'timeInForce', 'copyTradeSubId', 'counterTradeId', 'sniperId', 'clientOrderId', 'idempotencyKey', 'routing',
]);

const INSERT_ORDER = `
  INSERT INTO "Order" (id, "userId", "marketId", "listingId", side, type, action, price, quantity, amount, exchange, source,
                       "timeInForce", status, "copyTradeSubId", "counterTradeId", "sniperId", "clientOrderId", "idempotencyKey",
                       routing, "createdAt", "updatedAt")
  VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric, $11, $12, $13, 'created',
          $14::uuid, $15::uuid, $16::uuid, $17, $18, $19::jsonb, $20::timestamp, $20::timestamp)
  RETURNING *`;

function lockedFromOrder(o: Order): LockedOrder {
  return {
    id: o.id,
    userId: o.userId,
    listingId: o.listingId,
    marketId: o.marketId,
    exchange: o.exchange,
    side: o.side,
    action: o.action,
    status: o.status as OrderStatus,
    quantity: o.quantity.toString(),
    amount: o.amount === null ? null : o.amount.toString(),
    filledQuantity: o.filledQuantity.toString(),
    lateFillQuantity: o.lateFillQuantity.toString(),
    venueOrderId: o.venueOrderId,
    submittedAt: o.submittedAt,
    failureReason: o.failureReason,
  };
}

/** Shares, notional (Σ quantity × price) and fees of a set of new fills: the position change they make. */
export function fillTotals(fills: InsertedFill[]): { qty: Decimal; notional: Decimal; fee: Decimal } {
  let qty = ZERO;
  let notional = ZERO;
  let fee = ZERO;
  for (const f of fills) {
    qty = qty.add(f.quantity);
    notional = notional.add(f.quantity.mul(f.price));
    fee = fee.add(f.fee);
  }
  return { qty, notional, fee };
}

/** What applying a venue answer changes on the order row: the patch, the final status and the path to it. */
export function planApply(args: {
  before: LockedOrder;
  venue: VenueOrder;
  inserted: InsertedFill[];
  totals: { quantity: Decimal; notional: Decimal; fee: Decimal } | null;
  extra?: { failureReason?: string };
  now: Date;
}): Planned {
  const { before, venue, inserted, totals, extra, now } = args;
  const wasTerminal = isTerminal(before.status);
  const patch: Prisma.OrderUncheckedUpdateManyInput = {};
  if (totals) {
    patch.filledQuantity = totals.quantity.toFixed();
    patch.avgFillPrice = totals.quantity.gt(0) ? totals.notional.div(totals.quantity).toDecimalPlaces(6).toFixed() : null;
    patch.fee = totals.fee.toFixed();
  }
  if (!before.venueOrderId && venue.venueOrderId) patch.venueOrderId = venue.venueOrderId;
  if (!before.submittedAt) patch.submittedAt = now;
  // A buy by amount is sized by the venue: record the quantity it settled on.
  if (before.amount && venue.quantity.gt(0) && !dec(before.quantity).eq(venue.quantity)) patch.quantity = venue.quantity.toFixed();
  if (wasTerminal && inserted.length > 0) {
    const lateQty = inserted.reduce((sum, f) => sum.add(f.quantity), ZERO);
    patch.lateFillQuantity = dec(before.lateFillQuantity).add(lateQty).toFixed();
  }

  // The path through the table (at most created → pending → partial), applied as ONE compare-and-set.
  const filledQty = totals ? totals.quantity : dec(before.filledQuantity);
  const requested = patch.quantity ? dec(patch.quantity as string) : dec(before.quantity);
  const filled = venue.status === 'filled' || (requested.gt(0) && filledQty.gte(requested));
  const transitions: { from: OrderStatus; to: OrderStatus }[] = [];
  let status = before.status;
  for (let step = 0; step < 2; step++) {
    const next = nextStatusFor({ current: status, filled, anyFill: filledQty.gt(0), venueStatus: venue.status });
    if (!next) break;
    transitions.push({ from: status, to: next });
    status = next;
  }
  if (transitions.length > 0) {
    if (isTerminal(status)) patch.completedAt = now;
    if (status === 'failed' || status === 'cancelled') patch.failureReason = extra?.failureReason ?? venue.reason ?? before.failureReason;
  }
  return { patch, status, transitions };
}

export function statusEntry(order: OrderCore, from: OrderStatus, to: OrderStatus, reason: string | null): OutboxEntry {
  return {
    userId: order.userId,
    orderId: order.id,
    dedupeKey: `order:${order.id}:${to}`,
    payload: { kind: 'order_status', orderId: order.id, status: to, previous: from, reason },
  };
}

export function fillEntry(order: OrderCore, fill: InsertedFill, late: boolean): OutboxEntry {
  return {
    userId: order.userId,
    orderId: order.id,
    dedupeKey: `fill:${fill.id}`,
    payload: {
      kind: 'order_fill',
      orderId: order.id,
      fillId: fill.id,
      price: fill.price.toFixed(),
      quantity: fill.quantity.toFixed(),
      fee: fill.fee.toFixed(),
      late,
    },
  };
}
