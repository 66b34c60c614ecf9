/**
 * The paper venues' ledger in Postgres (PaperAccount, PaperHolding, PaperOrder, PaperTrade).
 *
 * Every change is ONE SQL statement (data-modifying CTEs), so it is atomic without an interactive
 * transaction and costs one round trip on the order hot path. Balance and position checks are
 * conditional updates (`... WHERE cash >= $debit`), so concurrent orders of one account serialise on
 * the account row and can never overdraw it.
 *
 * Cash in PaperAccount is the AVAILABLE cash: resting buys have their reserve (remaining × price)
 * taken out of it. PaperHolding.quantity is likewise the AVAILABLE shares: resting sells have theirs
 * taken out. Cancelling gives the reserve back.
 */
import { Prisma, type PaperOrder, type PaperTrade } from '../../../generated/prisma/client.ts';
import type { Db } from '../../db/client.ts';
import { querySql, rawPool } from '../../db/raw.ts';
import { Decimal, dec } from '../../money.ts';
import type { Action, Outcome, Venue, VenueFill, VenueOrder } from '../types.ts';

export interface NewOrderRow {
  id: string;
  venue: Venue;
  accountId: string;
  clientOrderId: string;
  venueMarketId: string;
  side: Outcome;
  action: Action;
  type: 'market' | 'limit';
  timeInForce: string;
  price: Decimal;
  quantity: Decimal;
  filledQuantity: Decimal;
  status: 'open' | 'filled' | 'cancelled';
  reason: string | null;
  /** GTD: when the rest is cancelled. */
  expiresAt: Date | null;
}

export interface NewTradeRow {
  id: string;
  price: Decimal;
  quantity: Decimal;
  fee: Decimal;
}

const num = (d: Decimal) => Prisma.sql`${d.toFixed()}::numeric`;
const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp`;

/** Creates the account with the starting balance unless it exists. */
export async function ensureAccount(prisma: Db, venue: Venue, accountId: string, startingBalance: Decimal): Promise<void> {
  await querySql(rawPool(prisma), Prisma.sql`
    INSERT INTO "PaperAccount" (id, venue, "accountId", cash, "createdAt", "updatedAt")
    VALUES (gen_random_uuid(), ${venue}, ${accountId}, ${num(startingBalance)}, now(), now())
    ON CONFLICT (venue, "accountId") DO NOTHING`);
}

function orderInsert(o: NewOrderRow, now: Date, from: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "PaperOrder" (id, venue, "accountId", "clientOrderId", "venueMarketId", side, action, type, "timeInForce",
                              price, quantity, "filledQuantity", status, reason, "expiresAt", "createdAt", "updatedAt")
    SELECT ${o.id}, ${o.venue}, ${o.accountId}, ${o.clientOrderId}, ${o.venueMarketId}, ${o.side}, ${o.action}, ${o.type}, ${o.timeInForce},
           ${num(o.price)}, ${num(o.quantity)}, ${num(o.filledQuantity)}, ${o.status}, ${o.reason},
           ${o.expiresAt ? ts(o.expiresAt) : Prisma.sql`NULL`}, ${ts(now)}, ${ts(now)}
    FROM ${from}
    RETURNING id`;
}

function tradesInsert(o: NewOrderRow, trades: readonly NewTradeRow[], now: Date): Prisma.Sql {
  const values = Prisma.join(trades.map((t) => Prisma.sql`(${t.id}, ${num(t.price)}, ${num(t.quantity)}, ${num(t.fee)})`));
  return Prisma.sql`
    INSERT INTO "PaperTrade" (id, venue, "orderId", "accountId", "venueMarketId", side, action, price, quantity, fee, "createdAt")
    SELECT v.id, ${o.venue}, ord.id, ${o.accountId}, ${o.venueMarketId}, ${o.side}, ${o.action}, v.price, v.quantity, v.fee, ${ts(now)}
    FROM ord, (VALUES ${values}) AS v(id, price, quantity, fee)`;
}

function holdingAdd(venue: Venue, accountId: string, venueMarketId: string, side: Outcome, qty: Decimal, from: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "PaperHolding" (id, venue, "accountId", "venueMarketId", side, quantity)
    SELECT gen_random_uuid(), ${venue}, ${accountId}, ${venueMarketId}, ${side}, ${num(qty)} FROM ${from}
    ON CONFLICT (venue, "accountId", "venueMarketId", side) DO UPDATE SET quantity = "PaperHolding".quantity + EXCLUDED.quantity`;
}

/**
 * Places a buy: takes `debit` (immediate notional + fees + the resting reserve) from the account
 * only if it has that much, and in the same statement inserts the order, its trades and the shares.
 * Returns false (and changes nothing) when the account cannot pay. Throws on a duplicate client id.
 */
export async function insertBuy(prisma: Db, args: { order: NewOrderRow; trades: readonly NewTradeRow[]; debit: Decimal; now: Date }): Promise<boolean> {
  const { order: o, trades, debit, now } = args;
  const parts: Prisma.Sql[] = [
    Prisma.sql`acct AS (
      UPDATE "PaperAccount" SET cash = cash - ${num(debit)}, "updatedAt" = now()
      WHERE venue = ${o.venue} AND "accountId" = ${o.accountId} AND cash >= ${num(debit)}
      RETURNING cash)`,
    Prisma.sql`ord AS (${orderInsert(o, now, Prisma.sql`acct`)})`,
  ];
  if (trades.length) parts.push(Prisma.sql`trd AS (${tradesInsert(o, trades, now)})`);
  if (o.filledQuantity.gt(0)) parts.push(Prisma.sql`hold AS (${holdingAdd(o.venue, o.accountId, o.venueMarketId, o.side, o.filledQuantity, Prisma.sql`ord`)})`);
  const rows = await querySql<{ id: string }>(rawPool(prisma), Prisma.sql`WITH ${Prisma.join(parts, ',\n')} SELECT id FROM ord`);
  return rows.length === 1;
}

/**
 * Places a sell: requires `required` available shares, takes `decrement` of them (sold now + resting
 * reserve), credits `credit` (proceeds − fees) and inserts the order and its trades, in one statement.
 * Returns false (and changes nothing) when the position is too small. Throws on a duplicate client id.
 */
export async function insertSell(
  prisma: Db,
  args: { order: NewOrderRow; trades: readonly NewTradeRow[]; required: Decimal; decrement: Decimal; credit: Decimal; now: Date },
): Promise<boolean> {
  const { order: o, trades, now } = args;
  const parts: Prisma.Sql[] = [
    Prisma.sql`hold AS (
      UPDATE "PaperHolding" SET quantity = quantity - ${num(args.decrement)}
      WHERE venue = ${o.venue} AND "accountId" = ${o.accountId} AND "venueMarketId" = ${o.venueMarketId} AND side = ${o.side}
        AND quantity >= ${num(args.required)}
      RETURNING quantity)`,
    Prisma.sql`ord AS (${orderInsert(o, now, Prisma.sql`hold`)})`,
  ];
  if (trades.length) parts.push(Prisma.sql`trd AS (${tradesInsert(o, trades, now)})`);
  if (args.credit.gt(0)) {
    parts.push(Prisma.sql`acct AS (
      UPDATE "PaperAccount" a SET cash = a.cash + ${num(args.credit)}, "updatedAt" = now()
      FROM ord WHERE a.venue = ${o.venue} AND a."accountId" = ${o.accountId})`);
  }
  const rows = await querySql<{ id: string }>(rawPool(prisma), Prisma.sql`WITH ${Prisma.join(parts, ',\n')} SELECT id FROM ord`);
  return rows.length === 1;
}

/**
 * A resting order filled `qty` at its own price: bumps filledQuantity (only while it is open and has
 * that much left), stores the trade, and moves shares (buy) or cash (sell, proceeds − fee; the shares
 * were reserved when it rested). A buy's cash was reserved at its price, so nothing more is taken
 * (a buy's maker fee, if any, is taken from the cash). Returns false when the order is no longer open.
 */
export async function applyRestingFill(
  prisma: Db,
  args: { venue: Venue; orderId: string; tradeId: string; qty: Decimal; fee: Decimal; now: Date },
): Promise<boolean> {
  const { venue, orderId, tradeId, qty, fee, now } = args;
  const rows = await querySql<{ id: string }>(rawPool(prisma), Prisma.sql`
    WITH o AS (
      UPDATE "PaperOrder" SET "filledQuantity" = "filledQuantity" + ${num(qty)},
        status = CASE WHEN "filledQuantity" + ${num(qty)} >= quantity THEN 'filled' ELSE 'open' END,
        "updatedAt" = ${ts(now)}
      WHERE id = ${orderId} AND venue = ${venue} AND status = 'open' AND quantity - "filledQuantity" >= ${num(qty)}
      RETURNING id, "accountId", "venueMarketId", side, action, price
    ), t AS (
      INSERT INTO "PaperTrade" (id, venue, "orderId", "accountId", "venueMarketId", side, action, price, quantity, fee, "createdAt")
      SELECT ${tradeId}, ${venue}, o.id, o."accountId", o."venueMarketId", o.side, o.action, o.price, ${num(qty)}, ${num(fee)}, ${ts(now)} FROM o
    ), h AS (
      INSERT INTO "PaperHolding" (id, venue, "accountId", "venueMarketId", side, quantity)
      SELECT gen_random_uuid(), ${venue}, o."accountId", o."venueMarketId", o.side, ${num(qty)} FROM o WHERE o.action = 'buy'
      ON CONFLICT (venue, "accountId", "venueMarketId", side) DO UPDATE SET quantity = "PaperHolding".quantity + EXCLUDED.quantity
    ), a AS (
      UPDATE "PaperAccount" acc SET
        cash = acc.cash + CASE WHEN o.action = 'sell' THEN o.price * ${num(qty)} ELSE 0 END - ${num(fee)},
        "updatedAt" = now()
      FROM o WHERE acc.venue = ${venue} AND acc."accountId" = o."accountId" AND (o.action = 'sell' OR ${num(fee)} > 0)
    )
    SELECT id FROM o`);
  return rows.length === 1;
}

/**
 * Cancels an open order and gives its reserve back (buy: remaining × price in cash; sell: remaining
 * shares), in one statement. Returns false when the order was not open (already filled or cancelled).
 */
export async function cancelOpenOrder(prisma: Db, args: { venue: Venue; orderId: string; accountId?: string; reason: string; now: Date }): Promise<boolean> {
  const { venue, orderId, reason, now } = args;
  const owner = args.accountId === undefined ? Prisma.empty : Prisma.sql`AND "accountId" = ${args.accountId}`;
  const rows = await querySql<{ id: string }>(rawPool(prisma), Prisma.sql`
    WITH c AS (
      UPDATE "PaperOrder" SET status = 'cancelled', reason = ${reason}, "updatedAt" = ${ts(now)}
      WHERE id = ${orderId} AND venue = ${venue} AND status = 'open' ${owner}
      RETURNING id, "accountId", "venueMarketId", side, action, price, quantity - "filledQuantity" AS remaining
    ), a AS (
      UPDATE "PaperAccount" acc SET cash = acc.cash + c.remaining * c.price, "updatedAt" = now()
      FROM c WHERE c.action = 'buy' AND acc.venue = ${venue} AND acc."accountId" = c."accountId"
    ), h AS (
      UPDATE "PaperHolding" ph SET quantity = ph.quantity + c.remaining
      FROM c WHERE c.action = 'sell' AND ph.venue = ${venue} AND ph."accountId" = c."accountId"
        AND ph."venueMarketId" = c."venueMarketId" AND ph.side = c.side
    )
    SELECT id FROM c`);
  return rows.length === 1;
}

export type OrderWithTrades = PaperOrder & { trades: PaperTrade[] };

async function withTrades(prisma: Db, order: PaperOrder | null): Promise<OrderWithTrades | null> {
  if (!order) return null;
  const trades = await prisma.paperTrade.findMany({ where: { venue: order.venue, orderId: order.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return { ...order, trades };
}

export async function findOrder(prisma: Db, venue: Venue, orderId: string): Promise<OrderWithTrades | null> {
  return withTrades(prisma, await prisma.paperOrder.findFirst({ where: { id: orderId, venue } }));
}

export async function findOrderByClientId(prisma: Db, venue: Venue, clientOrderId: string): Promise<OrderWithTrades | null> {
  return withTrades(prisma, await prisma.paperOrder.findUnique({ where: { venue_clientOrderId: { venue, clientOrderId } } }));
}

export async function openOrders(prisma: Db, venue: Venue): Promise<PaperOrder[]> {
  return prisma.paperOrder.findMany({ where: { venue, status: 'open' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

export async function accountCash(prisma: Db, venue: Venue, accountId: string): Promise<Decimal | null> {
  const row = await prisma.paperAccount.findUnique({ where: { venue_accountId: { venue, accountId } } });
  return row ? dec(row.cash) : null;
}

/** Total shares per listing and outcome: available holdings plus shares reserved by open sells. */
export async function positions(prisma: Db, venue: Venue, accountId: string): Promise<{ venueMarketId: string; side: string; quantity: Decimal }[]> {
  const rows = await prisma.$queryRaw<{ venueMarketId: string; side: string; quantity: string }[]>`
    SELECT "venueMarketId", side, SUM(q)::text AS quantity FROM (
      SELECT "venueMarketId", side, quantity AS q FROM "PaperHolding" WHERE venue = ${venue} AND "accountId" = ${accountId}
      UNION ALL
      SELECT "venueMarketId", side, quantity - "filledQuantity" FROM "PaperOrder"
      WHERE venue = ${venue} AND "accountId" = ${accountId} AND status = 'open' AND action = 'sell'
    ) x GROUP BY "venueMarketId", side HAVING SUM(q) > 0 ORDER BY "venueMarketId", side`;
  return rows.map((r) => ({ venueMarketId: r.venueMarketId, side: r.side, quantity: dec(r.quantity) }));
}

/** A PaperTrade row as the venue reports a fill. */
export function toVenueFill(t: PaperTrade): VenueFill {
  return { venueTradeId: t.id, venueOrderId: t.orderId, price: dec(t.price), quantity: dec(t.quantity), fee: dec(t.fee), filledAt: t.createdAt };
}

/** A PaperOrder row with its trades as the venue reports the order. */
export function toVenueOrder(row: PaperOrder & { trades: PaperTrade[] }): VenueOrder {
  return {
    venueOrderId: row.id,
    clientOrderId: row.clientOrderId,
    status: row.status as VenueOrder['status'],
    quantity: dec(row.quantity),
    filledQuantity: dec(row.filledQuantity),
    fills: row.trades.map(toVenueFill),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

/** A Postgres unique violation (23505), however the driver adapter wraps it. */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; meta?: unknown; message?: unknown; cause?: unknown };
  if (e.code === 'P2002' || e.code === '23505') return true;
  const text = `${typeof e.message === 'string' ? e.message : ''} ${safeJson(e.meta)}`;
  if (/23505|unique constraint|duplicate key/i.test(text)) return true;
  return e.cause ? isUniqueViolation(e.cause) : false;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}
