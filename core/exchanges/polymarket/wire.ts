/**
 * Zod parsers for the CLOB's authenticated responses, a sample venue payload above each, and the
 * closed status tables (order status → VenueOrderStatus, trade status → counted or dropped).
 */
import { z } from 'zod';
import type { VenueOrderStatus } from '../types.ts';

const decText = z.union([z.string(), z.number()]).transform((v) => String(v));

/*
 * POST /order → 200
 * {"success":true,"errorMsg":"","orderID":"0x9f2c...e1","status":"matched","makingAmount":"5.2",
 *  "takingAmount":"10","transactionsHashes":[],"tradeIDs":["7f6c1a2e-..."]}
 * (a refusal: 400 {"error":"not enough balance / allowance"}, or 200 {"success":false,"errorMsg":"..."})
 */
export const postOrderResponseSchema = z.object({
  success: z.boolean().optional(),
  errorMsg: z.string().nullish(),
  orderID: z.string().nullish(),
  status: z.string().nullish(),
  makingAmount: decText.nullish(),
  takingAmount: decText.nullish(),
  transactionsHashes: z.array(z.string()).nullish(),
  tradeIDs: z.array(z.string()).nullish(),
});
export type PostOrderResponse = z.infer<typeof postOrderResponseSchema>;

/*
 * GET /data/order/0x9f2c...e1 → 200
 * {"id":"0x9f2c...e1","status":"LIVE","owner":"a1b2-...","maker_address":"0xAbC...","market":"0x5f65...c2",
 *  "asset_id":"7132...","side":"BUY","original_size":"10","size_matched":"2.5","price":"0.52",
 *  "associate_trades":["7f6c1a2e-..."],"outcome":"Yes","created_at":1764400000,"expiration":"0","order_type":"GTC"}
 * (an unknown id: 200 null, or 404 {"error":"..."})
 */
export const openOrderSchema = z.object({
  id: z.string(),
  status: z.string(),
  market: z.string().nullish(),
  asset_id: z.string().nullish(),
  side: z.string().nullish(),
  original_size: decText,
  size_matched: decText,
  price: decText,
  associate_trades: z.array(z.string()).nullish(),
  outcome: z.string().nullish(),
  created_at: z.union([z.number(), z.string()]).nullish(),
  order_type: z.string().nullish(),
});
export type OpenOrder = z.infer<typeof openOrderSchema>;

/** Order statuses, in both spellings the docs use. Closed: anything else fails the parse. */
export const ORDER_STATUS = {
  LIVE: 'open',
  ORDER_STATUS_LIVE: 'open',
  DELAYED: 'open',
  ORDER_STATUS_DELAYED: 'open',
  UNMATCHED: 'open',
  MATCHED: 'filled',
  ORDER_STATUS_MATCHED: 'filled',
  CANCELED: 'cancelled',
  ORDER_STATUS_CANCELED: 'cancelled',
  CANCELED_MARKET_RESOLVED: 'cancelled',
  ORDER_STATUS_CANCELED_MARKET_RESOLVED: 'cancelled',
  INVALID: 'rejected',
  ORDER_STATUS_INVALID: 'rejected',
} as const satisfies Record<string, VenueOrderStatus>;

export function mapOrderStatus(status: string): VenueOrderStatus | null {
  return (ORDER_STATUS as Record<string, VenueOrderStatus>)[status.toUpperCase()] ?? null;
}

/*
 * GET /data/trades?next_cursor=MA== → 200
 * {"limit":100,"count":1,"next_cursor":"LTE=","data":[{"id":"7f6c1a2e-...","taker_order_id":"0x9f2c...e1",
 *  "market":"0x5f65...c2","asset_id":"7132...","side":"BUY","size":"10","fee_rate_bps":"0","price":"0.52",
 *  "status":"MATCHED","match_time":"1764400000","last_update":"1764400000","outcome":"Yes","bucket_index":0,
 *  "owner":"a1b2-...","maker_address":"0xAbC...","transaction_hash":"","trader_side":"TAKER",
 *  "maker_orders":[{"order_id":"0x77...","owner":"c3d4-...","maker_address":"0xDeF...","matched_amount":"10",
 *  "price":"0.52","fee_rate_bps":"0","asset_id":"7132...","outcome":"Yes","side":"SELL"}]}]}
 */
export const makerOrderSchema = z.object({
  order_id: z.string(),
  owner: z.string().nullish(),
  maker_address: z.string().nullish(),
  matched_amount: decText,
  price: decText,
  fee_rate_bps: decText.nullish(),
  asset_id: z.string().nullish(),
  outcome: z.string().nullish(),
  side: z.string().nullish(),
});
export const tradeSchema = z.object({
  id: z.string(),
  taker_order_id: z.string(),
  market: z.string(),
  asset_id: z.string(),
  side: z.string(),
  size: decText,
  fee_rate_bps: decText.nullish(),
  price: decText,
  status: z.string(),
  match_time: z.union([z.string(), z.number()]),
  outcome: z.string().nullish(),
  owner: z.string().nullish(),
  trader_side: z.string().nullish(),
  maker_orders: z.array(makerOrderSchema).nullish(),
});
export type Trade = z.infer<typeof tradeSchema>;
export const tradesPageSchema = z.object({ next_cursor: z.string().nullish(), data: z.array(tradeSchema).nullish() });
export const ordersPageSchema = z.object({ next_cursor: z.string().nullish(), data: z.array(openOrderSchema).nullish() });

/**
 * Trade statuses → whether the fill counts. A trade is a match the venue made; MATCHED → MINED →
 * CONFIRMED is its settlement on chain, RETRYING a settlement the venue is re-submitting: all count
 * (the position exists for the venue). FAILED means settlement was abandoned: the fill did not happen,
 * so it is dropped (and if it had been recorded earlier, its absence shows up in the venue's size_matched).
 */
export const TRADE_STATUS = {
  MATCHED: 'count',
  MINED: 'count',
  CONFIRMED: 'count',
  RETRYING: 'count',
  FAILED: 'drop',
} as const satisfies Record<string, 'count' | 'drop'>;

/** Unknown future statuses count (the venue reported a match); only FAILED drops. */
export function tradeCounts(status: string): boolean {
  return ((TRADE_STATUS as Record<string, 'count' | 'drop'>)[status.toUpperCase()] ?? 'count') === 'count';
}

/*
 * GET /balance-allowance?asset_type=COLLATERAL&signature_type=0 → 200
 * {"balance":"125000000","allowances":{"0xE111...996B":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}}
 * (balance in 6-decimal base units: "125000000" = $125)
 */
export const balanceSchema = z.object({ balance: z.union([z.string(), z.number()]).transform((v) => String(v)) });

/*
 * DELETE /order {"orderID":"0x9f2c...e1"} → 200
 * {"canceled":["0x9f2c...e1"],"not_canceled":{}}
 */
export const cancelResponseSchema = z.object({
  canceled: z.array(z.string()).nullish(),
  not_canceled: z.record(z.string(), z.unknown()).nullish(),
});
