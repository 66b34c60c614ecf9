/**
 * Kalshi Trade API v2 portfolio (signed) wire formats, zod-parsed, new fixed-point fields first and
 * legacy integer cents / counts accepted. A sample venue payload sits above each parser.
 */
import { z } from 'zod';
import { decimalText } from './wire.ts';

const optDecimal = decimalText.nullish();
const optInt = z.number().nullish();

/*
 * Sample order (`GET /portfolio/orders/{id}` → { order }, rows of `GET /portfolio/orders` → { orders, cursor }):
 * { "order_id": "ee4b5f6c-…", "client_order_id": "yn_01JF…", "ticker": "KXFED-26DEC-H0",
 *   "side": "yes", "action": "buy", "type": "limit", "status": "resting",
 *   "yes_price_dollars": "0.4400", "no_price_dollars": "0.5600", "yes_price": 44, "no_price": 56,
 *   "initial_count_fp": "10.00", "fill_count_fp": "4.00", "remaining_count_fp": "6.00",
 *   "initial_count": 10, "fill_count": 4, "remaining_count": 6,
 *   "taker_fees_dollars": "0.0700", "maker_fees_dollars": "0.0000", "taker_fill_cost_dollars": "1.7600",
 *   "time_in_force": "good_till_canceled", "expiration_time": null, "created_time": "2026-11-29T09:00:00Z" }
 */
export const orderWire = z.looseObject({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  ticker: z.string().nullish(),
  side: z.string().nullish(),
  action: z.string().nullish(),
  status: z.string(),
  yes_price_dollars: optDecimal,
  no_price_dollars: optDecimal,
  yes_price: optInt,
  no_price: optInt,
  initial_count_fp: optDecimal,
  fill_count_fp: optDecimal,
  remaining_count_fp: optDecimal,
  initial_count: optInt,
  fill_count: optInt,
  remaining_count: optInt,
  taker_fees_dollars: optDecimal,
  maker_fees_dollars: optDecimal,
  taker_fees: optInt,
  created_time: z.string().nullish(),
});
export type OrderWire = z.infer<typeof orderWire>;

export const orderResponse = z.object({ order: orderWire });
export const ordersPage = z.object({ orders: z.array(orderWire).nullish(), cursor: z.string().nullish() });

/*
 * Sample `POST /portfolio/events/orders` answer (201):
 * { "order_id": "ee4b5f6c-…", "client_order_id": "yn_01JF…", "fill_count": "4.00", "remaining_count": "6.00",
 *   "average_fill_price": "0.4400", "average_fee_paid": "0.0175", "ts_ms": 1795942800123 }
 */
export const createOrderResponse = z.looseObject({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  fill_count: decimalText,
  remaining_count: decimalText,
  average_fill_price: optDecimal,
  average_fee_paid: optDecimal,
  ts_ms: z.number().nullish(),
});
export type CreateOrderResponse = z.infer<typeof createOrderResponse>;

/*
 * Sample fill (`GET /portfolio/fills` → { fills, cursor }):
 * { "fill_id": "f-91c2…", "trade_id": "t-5a0e…", "order_id": "ee4b5f6c-…", "ticker": "KXFED-26DEC-H0",
 *   "side": "yes", "action": "buy", "count_fp": "4.00", "count": 4,
 *   "yes_price_dollars": "0.4400", "no_price_dollars": "0.5600", "yes_price": 44, "no_price": 56,
 *   "is_taker": true, "fee_cost": "0.0700", "created_time": "2026-11-29T09:00:00.123Z", "ts": 1795942800 }
 * `fee_cost` as a string is dollars; a bare number is read as legacy cents.
 */
export const fillWire = z.looseObject({
  fill_id: z.string().nullish(),
  trade_id: z.string().nullish(),
  order_id: z.string().min(1),
  ticker: z.string().nullish(),
  market_ticker: z.string().nullish(),
  side: z.string().nullish(),
  action: z.string().nullish(),
  count_fp: optDecimal,
  count: optInt,
  yes_price_dollars: optDecimal,
  no_price_dollars: optDecimal,
  yes_price: optInt,
  no_price: optInt,
  is_taker: z.boolean().nullish(),
  fee_cost: optDecimal,
  created_time: z.string().nullish(),
  ts: z.number().nullish(),
});
export type FillWire = z.infer<typeof fillWire>;

export const fillsPage = z.object({ fills: z.array(fillWire).nullish(), cursor: z.string().nullish() });

/* Sample `GET /portfolio/balance`: { "balance": 12345, "balance_dollars": "123.4500", "portfolio_value": 0 } (balance in cents). */
export const balanceResponse = z.looseObject({ balance: optInt, balance_dollars: optDecimal });

/*
 * Sample `GET /portfolio/positions`:
 * { "market_positions": [{ "ticker": "KXFED-26DEC-H0", "position": -5, "position_fp": "-5.00" }], "event_positions": [], "cursor": "" }
 * Positive = YES contracts, negative = NO contracts.
 */
export const positionsResponse = z.object({
  market_positions: z
    .array(z.looseObject({ ticker: z.string(), position: optInt, position_fp: z.string().regex(/^-?\d+(\.\d+)?$/).nullish() }))
    .nullish(),
  cursor: z.string().nullish(),
});

/** Status words of a Kalshi order (closed table; unknown words are refused by the parser's caller). */
export const KALSHI_ORDER_STATUS = {
  resting: 'open',
  pending: 'open',
  executed: 'filled',
  canceled: 'cancelled',
  cancelled: 'cancelled',
} as const satisfies Record<string, 'open' | 'filled' | 'cancelled'>;
