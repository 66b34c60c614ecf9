/**
 * The order hot path's write: the venue's FIRST answer to an order this process just created, applied
 * in ONE round trip and one transaction: one prepared statement of data-modifying CTEs — the
 * compare-and-set on the order (WHERE status = 'created' and the row still exactly as created), its
 * fills, the position, the outbox rows and pg-boss's own INSERT of one delivery job per outbox row
 * (JobPort.insertSql). It divides by zero when the compare-and-set matched nothing, which aborts the
 * whole statement. The job insert carries no NOTIFY (inside the transaction it would make every
 * order commit alone); the workers are woken after the commit (JobPort.wake, coalesced), and poll anyway.
 *
 * Same semantics as OrderStore.applyVenueOrder's general path (the patch comes from the same
 * planApply): status only through the transition table, fills stored once (a trade id already
 * stored aborts the message), aggregates derived from the fills, outbox rows and their jobs in the
 * same transaction. Anything unexpected (the row moved on, a duplicate, a port without
 * insertStatement, a lost connection) answers `fallback`, and the caller takes the general path,
 * which is idempotent, so whatever happened is applied exactly once.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Prisma, type Order } from '../../generated/prisma/client.ts';
import { query } from '../db/raw.ts';
import { ZERO, type Decimal } from '../money.ts';
import type { VenueOrder } from '../exchanges/types.ts';
import type { OutboxEntry } from '../notifications/outbox.ts';
import { QUEUES, type JobPort } from '../notifications/types.ts';
import type { OrderStatus } from '../trading/types.ts';
import { fillEntry, fillTotals, planApply, statusEntry, type ApplyResult, type InsertedFill, type LockedOrder } from './order-store.ts';

/** planApply's answer. */
export interface Planned {
  patch: Prisma.OrderUncheckedUpdateManyInput;
  status: OrderStatus;
  transitions: { from: OrderStatus; to: OrderStatus }[];
}

const DECIMAL_COLUMNS = ['price', 'quantity', 'amount', 'filledQuantity', 'avgFillPrice', 'fee', 'lateFillQuantity'] as const;

/** A raw "Order" row (node-postgres, core/db/raw.ts types) as the Prisma model hands it out. */
export function orderFromRow(row: Record<string, unknown>): Order {
  const o = { ...row } as Record<string, unknown>;
  for (const k of DECIMAL_COLUMNS) {
    const v = o[k];
    o[k] = v === null || v === undefined ? null : new Prisma.Decimal(v as string);
  }
  return o as unknown as Order;
}

/** How a patch key is written (`$` is its parameter); keys not listed here make the fast path step aside. */
const SETTERS: Record<string, (p: string) => string> = {
  filledQuantity: (p) => `"filledQuantity" = ${p}::numeric`,
  avgFillPrice: (p) => `"avgFillPrice" = ${p}::numeric`,
  fee: (p) => `fee = ${p}::numeric`,
  quantity: (p) => `quantity = ${p}::numeric`,
  lateFillQuantity: (p) => `"lateFillQuantity" = ${p}::numeric`,
  completedAt: (p) => `"completedAt" = ${p}::timestamp`,
  failureReason: (p) => `"failureReason" = ${p}::text`,
  // Kept when something stored them between create and this answer (e.g. a venue id saved before sending).
  venueOrderId: (p) => `"venueOrderId" = COALESCE("venueOrderId", ${p}::text)`,
  submittedAt: (p) => `"submittedAt" = COALESCE("submittedAt", ${p}::timestamp)`,
};

/** A timestamp parameter for Prisma's timestamp(3) columns (UTC wall clock). */
const ts = (d: Date) => d.toISOString().replace('Z', '');

export async function applyFirstAnswer(args: {
  pool: pg.Pool;
  jobs: JobPort;
  before: LockedOrder;
  venue: VenueOrder;
  extra?: { failureReason?: string };
  now: Date;
}): Promise<ApplyResult | { fallback: string }> {
  const { pool, jobs, before, venue, extra, now } = args;
  if (!jobs.insertSql) return { fallback: 'job port without insertSql' };
  if (before.status !== 'created') return { fallback: 'not created' };

  // Every fill is new (an order in `created` has none stored); a trade id twice in the answer counts once.
  const seen = new Set<string>();
  const fills = venue.fills.filter((f) => !seen.has(f.venueTradeId) && seen.add(f.venueTradeId));
  const inserted: InsertedFill[] = fills.map((f) => ({ id: randomUUID(), price: f.price, quantity: f.quantity, fee: f.fee }));
  let totals: { quantity: Decimal; notional: Decimal; fee: Decimal } | null = null;
  if (inserted.length > 0) {
    totals = { quantity: ZERO, notional: ZERO, fee: ZERO };
    for (const f of inserted) {
      totals = { quantity: totals.quantity.add(f.quantity), notional: totals.notional.add(f.quantity.mul(f.price)), fee: totals.fee.add(f.fee) };
    }
  }
  const { patch, status, transitions } = planApply({ before, venue, inserted, totals, extra, now });
  if (transitions.length === 0) return { fallback: 'no transition' };

  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const stamp = ts(new Date());
  const sets = [`status = ${param(status)}::"OrderStatus"`, `"updatedAt" = ${param(stamp)}::timestamp`];
  for (const [k, v] of Object.entries(patch)) {
    const set = SETTERS[k];
    if (!set || !(v === null || typeof v === 'string' || v instanceof Date)) return { fallback: `patch field ${k}` };
    sets.push(set(param(v instanceof Date ? ts(v) : v)));
  }

  const failureReason = (patch.failureReason as string | null | undefined) ?? before.failureReason;
  const outbox: (OutboxEntry & { id: string })[] = [
    ...inserted.map((f) => ({ id: randomUUID(), ...fillEntry(before, f, false) })),
    ...transitions.map((t) => ({ id: randomUUID(), ...statusEntry(before, t.from, t.to, failureReason) })),
  ];
  // status::text: the primary key finds the row; the planner would otherwise pick the status index
  // (few rows are `created`) and filter it by id.
  const ctes = [
    `o AS (
      UPDATE "Order" SET ${sets.join(', ')}
      WHERE id = ${param(before.id)}::uuid AND status::text = 'created' AND "filledQuantity" = 0 AND "lateFillQuantity" = 0
        AND "failureReason" IS NULL AND quantity = ${param(before.quantity)}::numeric
      RETURNING *)`,
  ];
  if (inserted.length > 0) {
    ctes.push(`f AS (
      INSERT INTO "Fill" (id, "orderId", venue, "venueTradeId", price, quantity, fee, late, "filledAt", "createdAt")
      SELECT v.id, o.id, o.exchange, v.tid, v.price, v.qty, v.fee, false, v.at, ${param(stamp)}::timestamp
      FROM o, unnest(${param(inserted.map((f) => f.id))}::uuid[], ${param(fills.map((f) => f.venueTradeId))}::text[],
                     ${param(inserted.map((f) => f.price.toFixed()))}::numeric[], ${param(inserted.map((f) => f.quantity.toFixed()))}::numeric[],
                     ${param(inserted.map((f) => f.fee.toFixed()))}::numeric[], ${param(fills.map((f) => ts(f.filledAt)))}::timestamp[])
           AS v(id, tid, price, qty, fee, at))`);
    ctes.push(`p AS (${positionSql(before, inserted, param)})`);
  }
  if (outbox.length > 0) {
    ctes.push(`ob AS (
      INSERT INTO "NotificationOutbox" (id, "userId", kind, "dedupeKey", "orderId", payload, "createdAt")
      SELECT v.id, o."userId", v.kind, v.key, o.id, v.payload, ${param(stamp)}::timestamp
      FROM o, unnest(${param(outbox.map((e) => e.id))}::uuid[], ${param(outbox.map((e) => e.payload.kind))}::text[],
                     ${param(outbox.map((e) => e.dedupeKey))}::text[], ${param(outbox.map((e) => JSON.stringify(e.payload)))}::jsonb[])
           AS v(id, kind, key, payload))`);
    // pg-boss's own INSERT of one delivery job per outbox row; its one parameter is the jobs as JSON.
    let jobsInsert: { sql: string; json: string };
    try {
      jobsInsert = await jobs.insertSql({ queue: QUEUES.notify, jobs: outbox.map((e) => ({ data: { outboxId: e.id }, singletonKey: e.id })) });
    } catch (err) {
      return { fallback: `job insert: ${(err as Error).message}` };
    }
    const p = param(jobsInsert.json);
    ctes.push(`jb AS (${jobsInsert.sql.replace('$1', () => p)})`);
  }
  // The guard's divisor is the compare-and-set's row count: no row → division by zero → the whole
  // statement (one transaction) writes nothing. The guard is in the output so that the planner cannot drop it.
  const text = `WITH ${ctes.join(',\n')}\nSELECT guard.ok AS "__ok", o.* FROM (SELECT 1 / (SELECT count(*)::int FROM o) AS ok) AS guard LEFT JOIN o ON true`;
  let rows: Record<string, unknown>[];
  try {
    rows = await query(pool, text, values);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { fallback: code === '22012' ? 'order moved on' : code === '23505' ? 'duplicate' : `error ${String(code ?? (err as Error).message)}` };
  }
  if (outbox.length > 0) jobs.wake?.(QUEUES.notify);
  const row = rows[0];
  if (!row || row.id !== before.id) return { fallback: 'no row' };
  const { __ok: _ok, ...orderRow } = row;
  return { order: orderFromRow(orderRow), transitions, newFills: inserted.length, lateFills: 0 };
}

/** The position change of a first answer's fills (the same SQL arithmetic as OrderStore's applyToPosition). */
function positionSql(order: LockedOrder, fills: InsertedFill[], param: (v: unknown) => string): string {
  const { qty, notional, fee } = fillTotals(fills);
  const q = `${param(qty.toFixed())}::numeric`;
  const user = `${param(order.userId)}::uuid`;
  const listing = `${param(order.listingId)}::text`;
  const side = `${param(order.side)}::text`;
  if (order.action === 'buy') {
    const cost = `${param(notional.add(fee).toFixed())}::numeric`;
    return `
      INSERT INTO "Position" (id, "userId", "listingId", "marketId", exchange, side, quantity, "avgPrice", "costBasis", "updatedAt")
      SELECT gen_random_uuid(), ${user}, ${listing}, o."marketId", o.exchange, ${side}, ${q}, ROUND(${cost} / ${q}, 6), ${cost}, now()
      FROM o
      ON CONFLICT ("userId", "listingId", side) DO UPDATE SET
        quantity = "Position".quantity + EXCLUDED.quantity,
        "costBasis" = "Position"."costBasis" + EXCLUDED."costBasis",
        "avgPrice" = ROUND(("Position"."costBasis" + EXCLUDED."costBasis") / NULLIF("Position".quantity + EXCLUDED.quantity, 0), 6),
        "updatedAt" = now()`;
  }
  const proceeds = `${param(notional.sub(fee).toFixed())}::numeric`;
  return `
    UPDATE "Position" SET
      "realizedPnl" = "realizedPnl" + ${proceeds} - ROUND("costBasis" * LEAST(${q} / NULLIF(quantity, 0), 1), 6),
      "costBasis" = "costBasis" - ROUND("costBasis" * LEAST(${q} / NULLIF(quantity, 0), 1), 6),
      quantity = quantity - ${q},
      "takeProfitPrice" = CASE WHEN quantity - ${q} <= 0 THEN NULL ELSE "takeProfitPrice" END,
      "stopLossPrice" = CASE WHEN quantity - ${q} <= 0 THEN NULL ELSE "stopLossPrice" END,
      "updatedAt" = now()
    WHERE "userId" = ${user} AND "listingId" = ${listing} AND side = ${side} AND EXISTS (SELECT 1 FROM o)`;
}
