/**
 * Pure translation between yesno orders and Kalshi's YES-book orders, and back.
 *
 * Kalshi's replacement order endpoint trades one book per market, the YES book:
 *   buy  YES at p  → bid at p          sell YES at p → ask at p
 *   buy  NO  at p  → ask at 1 − p      sell NO  at p → bid at 1 − p
 * (a NO contract bought at p is a YES contract sold at 1 − p). Because the venue then cannot tell
 * "buy NO" from "sell YES", the outcome is carried in the client order id we send: `<id>-y` / `<id>-n`.
 * yesno's own client order id is that string without the suffix; lookups strip it.
 */
import { Decimal, ONE, ZERO } from '../../money.ts';
import type { Action, BookLevel, Outcome, TimeInForce, VenueFill, VenueOrder } from '../types.ts';
import type { KalshiCreateOrderBody } from './client.ts';
import { kalshiError } from './errors.ts';
import { KALSHI_ORDER_STATUS, type FillWire, type OrderWire } from './portfolio-wire.ts';
import { countOf, dollarsOf } from './wire.ts';

/** The YES-book side and price for an outcome/action at the outcome's price p. */
export function yesBookOrder(args: { outcome: Outcome; action: Action; price: Decimal }): { side: 'bid' | 'ask'; price: Decimal } {
  const buysYes = (args.outcome === 'yes') === (args.action === 'buy');
  return { side: buysYes ? 'bid' : 'ask', price: args.outcome === 'yes' ? args.price : ONE.sub(args.price) };
}

/** Kalshi time_in_force (+ expiration) for a yesno order. Market orders never rest. */
export function kalshiTimeInForce(args: { type: 'market' | 'limit'; timeInForce: TimeInForce; expiresAt?: Date; nowMs: number }): {
  time_in_force: KalshiCreateOrderBody['time_in_force'];
  expiration_ts?: number;
} {
  if (args.timeInForce === 'FOK') return { time_in_force: 'fill_or_kill' };
  if (args.type === 'market' || args.timeInForce === 'FAK') return { time_in_force: 'immediate_or_cancel' };
  if (args.timeInForce === 'GTD') {
    if (!args.expiresAt) throw kalshiError({ key: 'invalid_parameters', mutating: false, venueMessage: 'a GTD order needs an expiry time' });
    const ts = Math.floor(args.expiresAt.getTime() / 1000);
    if (ts * 1000 <= args.nowMs) throw kalshiError({ key: 'invalid_parameters', mutating: false, venueMessage: 'the expiry time is in the past' });
    return { time_in_force: 'good_till_canceled', expiration_ts: ts };
  }
  return { time_in_force: 'good_till_canceled' };
}

/** The client order id sent to Kalshi (carries the outcome). */
export function venueClientId(clientOrderId: string, outcome: Outcome): string {
  return `${clientOrderId}-${outcome === 'yes' ? 'y' : 'n'}`;
}

/** yesno's client order id and the outcome from what Kalshi echoes back (no suffix: not ours, read as YES). */
export function parseVenueClientId(sent: string | null | undefined): { clientOrderId: string; outcome: Outcome } {
  const s = sent ?? '';
  const m = /^(.*)-([yn])$/.exec(s);
  return m ? { clientOrderId: m[1]!, outcome: m[2] === 'n' ? 'no' : 'yes' } : { clientOrderId: s, outcome: 'yes' };
}

/**
 * Contracts that `amount` dollars buys walking `asks` (best first) no worse than `limit`, in steps of
 * `step`. The cost at these levels never exceeds `amount`.
 */
export function contractsForAmount(args: { asks: BookLevel[]; amount: Decimal; limit: Decimal; step: Decimal }): Decimal {
  let left = args.amount;
  let count = ZERO;
  for (const level of args.asks) {
    if (level.price.gt(args.limit) || left.lte(0)) break;
    const affordable = left.div(level.price).div(args.step).floor().mul(args.step);
    const take = Decimal.min(affordable, level.size.div(args.step).floor().mul(args.step));
    if (take.lte(0)) break;
    count = count.add(take);
    left = left.sub(take.mul(level.price));
  }
  return count;
}

/** A Kalshi fill in the order's outcome terms (price of that outcome; the venue's count and fee). */
export function toVenueFill(f: FillWire, outcome: Outcome): VenueFill {
  const yes = dollarsOf(f.yes_price_dollars, f.yes_price);
  const no = dollarsOf(f.no_price_dollars, f.no_price) ?? (yes ? ONE.sub(yes) : null);
  const price = outcome === 'yes' ? (yes ?? (no ? ONE.sub(no) : null)) : no;
  const quantity = countOf(f.count_fp, f.count);
  const id = f.fill_id ?? f.trade_id;
  if (!price || !quantity || !id) throw kalshiError({ key: 'bad_response', mutating: false, venueMessage: 'a fill without price, count or id' });
  const fee = f.fee_cost === undefined || f.fee_cost === null ? ZERO : typeof f.fee_cost === 'number' ? new Decimal(f.fee_cost).div(100) : new Decimal(f.fee_cost);
  const at = f.created_time ? new Date(f.created_time) : f.ts ? new Date(f.ts * 1000) : new Date();
  return { venueTradeId: id, venueOrderId: f.order_id, price, quantity, fee, filledAt: at };
}

/** A Kalshi order (+ its fills) as a VenueOrder. */
export function toVenueOrder(o: OrderWire, fills: VenueFill[]): VenueOrder {
  if (!Object.hasOwn(KALSHI_ORDER_STATUS, o.status))
    throw kalshiError({ key: 'bad_response', mutating: false, venueMessage: `unknown order status "${o.status}"` });
  const status = KALSHI_ORDER_STATUS[o.status as keyof typeof KALSHI_ORDER_STATUS];
  const filled = countOf(o.fill_count_fp, o.fill_count) ?? ZERO;
  const remaining = countOf(o.remaining_count_fp, o.remaining_count) ?? ZERO;
  const quantity = countOf(o.initial_count_fp, o.initial_count) ?? filled.add(remaining);
  const { clientOrderId } = parseVenueClientId(o.client_order_id);
  return {
    venueOrderId: o.order_id,
    clientOrderId,
    status,
    quantity,
    filledQuantity: filled,
    fills,
    reason:
      status === 'cancelled'
        ? filled.gt(0)
          ? `Kalshi cancelled the unfilled ${quantity.sub(filled).toFixed()} of ${quantity.toFixed()} contracts`
          : 'Cancelled on Kalshi'
        : undefined,
  };
}

/**
 * A terminal state only once the fills read so far account for the venue's filled count: Kalshi's
 * fills list can lag its order counts, and an order closed with fills missing would turn every later
 * fill into a "late" one. Until then the order stays open and the order sync polls it again.
 */
export function settled(order: VenueOrder): VenueOrder {
  if (order.status === 'open') return order;
  const seen = order.fills.reduce((s, f) => s.add(f.quantity), new Decimal(0));
  return seen.gte(order.filledQuantity) ? order : { ...order, status: 'open', reason: undefined };
}

export function hasFills(o: { fill_count_fp?: string | number | null; fill_count?: number | null }): boolean {
  const v = o.fill_count_fp ?? o.fill_count;
  return v !== null && v !== undefined && new Decimal(v).gt(0);
}
