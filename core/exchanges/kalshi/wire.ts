/**
 * Kalshi Trade API v2 wire formats for public market data, zod-parsed. Kalshi is moving from integer
 * cents / integer counts to fixed-point strings (`*_dollars`, up to 4 dp; `*_fp`, 2 dp): every parser
 * accepts both and yields Decimal. A sample venue payload sits above each parser.
 */
import { z } from 'zod';
import { Decimal } from '../../money.ts';

const HUNDRED = new Decimal(100);

/** A fixed-point decimal string ("0.4200", "13.00") or a JSON number (legacy integer cents / counts). */
export const decimalText = z.union([
  z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string'),
  z.number().finite(),
]);

/** Dollars from the new `*_dollars` string, else from the legacy integer-cents field, else null. */
export function dollarsOf(dollars: string | number | null | undefined, cents?: number | null): Decimal | null {
  if (dollars !== undefined && dollars !== null && dollars !== '') return new Decimal(dollars);
  if (cents !== undefined && cents !== null) return new Decimal(cents).div(HUNDRED);
  return null;
}

/** A count from the new `*_fp` string, else from the legacy integer field, else null. */
export function countOf(fp: string | number | null | undefined, legacy?: number | null): Decimal | null {
  if (fp !== undefined && fp !== null && fp !== '') return new Decimal(fp);
  if (legacy !== undefined && legacy !== null) return new Decimal(legacy);
  return null;
}

const optDecimal = decimalText.nullish();
const optInt = z.number().nullish();
const optTime = z.string().nullish();

/*
 * Sample `GET /markets/{ticker}` → { market } (and each row of `GET /markets` → { markets, cursor }):
 * {
 *   "ticker": "KXFEDDECISION-26DEC-H0", "event_ticker": "KXFEDDECISION-26DEC", "market_type": "binary",
 *   "title": "Will the Fed hold rates in December?", "yes_sub_title": "Hold", "status": "active",
 *   "open_time": "2026-10-01T14:00:00Z", "close_time": "2026-12-10T18:55:00Z",
 *   "expiration_time": "2026-12-11T15:00:00Z",
 *   "yes_bid_dollars": "0.4200", "yes_ask_dollars": "0.4400", "no_bid_dollars": "0.5600",
 *   "no_ask_dollars": "0.5800", "last_price_dollars": "0.4300",
 *   "yes_bid": 42, "yes_ask": 44, "no_bid": 56, "no_ask": 58, "last_price": 43,   // legacy cents
 *   "volume_fp": "125000.00", "open_interest_fp": "50000.00", "liquidity_dollars": "12000.5000",
 *   "price_level_structure": "linear_cent",
 *   "price_ranges": [{ "start": "0.0000", "end": "1.0000", "step": "0.0100" }],
 *   "fractional_trading_enabled": false, "rules_primary": "Resolves Yes if ..."
 * }
 */
export const marketWire = z.looseObject({
  ticker: z.string().min(1),
  event_ticker: z.string().nullish(),
  market_type: z.string().nullish(),
  title: z.string().nullish(),
  subtitle: z.string().nullish(),
  yes_sub_title: z.string().nullish(),
  status: z.string(),
  open_time: optTime,
  close_time: optTime,
  expiration_time: optTime,
  yes_bid_dollars: optDecimal,
  yes_ask_dollars: optDecimal,
  no_bid_dollars: optDecimal,
  no_ask_dollars: optDecimal,
  last_price_dollars: optDecimal,
  yes_bid: optInt,
  yes_ask: optInt,
  no_bid: optInt,
  no_ask: optInt,
  last_price: optInt,
  volume_fp: optDecimal,
  volume: optInt,
  open_interest_fp: optDecimal,
  open_interest: optInt,
  liquidity_dollars: optDecimal,
  price_level_structure: z.string().nullish(),
  price_ranges: z.array(z.object({ start: decimalText, end: decimalText, step: decimalText })).nullish(),
  fractional_trading_enabled: z.boolean().nullish(),
  tick_size: optInt,
  rules_primary: z.string().nullish(),
});
export type MarketWire = z.infer<typeof marketWire>;

export const getMarketResponse = z.object({ market: marketWire });

/* Sample `GET /markets?status=open&limit=200&cursor=…` → { "markets": [ <market> ], "cursor": "CgsIARCk…" } ("" at the end). */
export const listMarketsResponse = z.object({
  markets: z.array(marketWire).nullish(),
  cursor: z.string().nullish(),
});

/** One bid level: [price, count] as ["0.4200", "13.00"] (new) or [42, 13] (legacy cents). */
const levelWire = z.tuple([decimalText, decimalText]);
const levelsWire = z.array(levelWire).nullish();

/*
 * Sample `GET /markets/{ticker}/orderbook` (bids only, ascending, best LAST):
 *   { "orderbook_fp": { "yes_dollars": [["0.4100","20.00"],["0.4200","13.00"]],
 *                       "no_dollars":  [["0.5500","7.00"],["0.5600","5.00"]] } }
 * Legacy: { "orderbook": { "yes": [[41, 20], [42, 13]], "no": [[55, 7], [56, 5]],
 *                          "yes_dollars": [["0.4100", 20]], "no_dollars": [...] } }   (sides may be null)
 */
export const orderbookResponse = z.object({
  orderbook_fp: z.looseObject({ yes_dollars: levelsWire, no_dollars: levelsWire }).nullish(),
  orderbook: z
    .looseObject({ yes: levelsWire, no: levelsWire, yes_dollars: levelsWire, no_dollars: levelsWire })
    .nullish(),
});
export type OrderbookResponse = z.infer<typeof orderbookResponse>;

/** Raw bid levels of both sides in dollars, ascending as Kalshi sends them (best last). */
export interface RawBids {
  yes: Array<{ price: Decimal; size: Decimal }>;
  no: Array<{ price: Decimal; size: Decimal }>;
}

/** Reads whichever orderbook shape the venue sent; legacy integer prices are cents. */
export function rawBidsOf(body: OrderbookResponse): RawBids {
  const fromDollars = (levels: Array<[string | number, string | number]>) =>
    levels.map(([p, s]) => ({ price: new Decimal(p), size: new Decimal(s) }));
  const fromCents = (levels: Array<[string | number, string | number]>) =>
    levels.map(([p, s]) => ({ price: new Decimal(p).div(HUNDRED), size: new Decimal(s) }));
  const side = (which: 'yes' | 'no') => {
    const fp = body.orderbook_fp?.[`${which}_dollars`];
    if (fp) return fromDollars(fp);
    const legacyDollars = body.orderbook?.[`${which}_dollars`];
    if (legacyDollars) return fromDollars(legacyDollars);
    const cents = body.orderbook?.[which];
    return cents ? fromCents(cents) : [];
  };
  const yes = side('yes').filter((l) => l.size.gt(0));
  const no = side('no').filter((l) => l.size.gt(0));
  yes.sort((a, b) => a.price.cmp(b.price));
  no.sort((a, b) => a.price.cmp(b.price));
  return { yes, no };
}

/*
 * Sample error bodies (both shapes are seen; accept either):
 *   { "code": "insufficient_balance", "message": "Insufficient balance", "details": "" }
 *   { "error": { "code": "market_closed", "message": "market is closed", "details": "..." } }
 */
const errorFields = z.looseObject({
  code: z.string().nullish(),
  message: z.string().nullish(),
  details: z.unknown().optional(),
});
export const errorBody = z.union([z.object({ error: errorFields }), errorFields]);

/** `{ code, message, details }` out of either error shape, or null when the body is not an error body. */
export function parseErrorBody(body: unknown): { code: string | null; message: string | null; details: string | null } | null {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return null;
  const e = 'error' in parsed.data && parsed.data.error && typeof parsed.data.error === 'object' ? parsed.data.error : parsed.data;
  const fields = e as z.infer<typeof errorFields>;
  const details = typeof fields.details === 'string' ? fields.details : fields.details ? JSON.stringify(fields.details) : null;
  if (!fields.code && !fields.message) return null;
  return { code: fields.code ?? null, message: fields.message ?? null, details: details || null };
}
