/**
 * Request and response schemas of the HTTP API (zod; JSON Schema for OpenAPI is derived from them).
 * Money, quantities and prices are decimal strings on the wire (`^\d+(\.\d+)?$`), never JSON numbers.
 */
import { z } from 'zod';
import { Decimal } from '../core/money.ts';
import type { OrderStatus } from '../core/trading/types.ts';

export const ORDER_STATUSES = ['created', 'pending', 'partial', 'filled', 'cancelled', 'failed'] as const satisfies readonly OrderStatus[];
export const VENUE_NAMES = ['polymarket', 'kalshi'] as const;
export const TIME_IN_FORCE = ['GTC', 'GTD', 'FOK', 'FAK'] as const;

const DECIMAL_RE = /^\d+(\.\d+)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function shown(input: unknown): string {
  const s = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function quote(values: readonly string[]): string {
  const q = values.map((v) => `"${v}"`);
  return q.length <= 2 ? q.join(' or ') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/**
 * A positive decimal sent as a string, parsed to Decimal. A JSON number is refused with a message
 * that says why (binary floats lose cents); at most 6 decimal places, at most 12 integer digits.
 */
export function decimalString(name: string, example: string, description: string) {
  return z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? `${name} is required`
          : typeof iss.input === 'number'
            ? `${name} must be a string such as "${example}" (decimal money is sent as strings)`
            : `${name} must be a string such as "${example}"`,
    })
    .superRefine((s, ctx) => {
      // continue: false aborts the parse of this value, so the object's cross-field rules (orderRules)
      // never see the untransformed string where they expect a Decimal.
      const fail = (message: string) => ctx.addIssue({ code: 'custom', message, continue: false });
      if (!DECIMAL_RE.test(s)) {
        fail(`${name} must be a positive decimal such as "${example}" (got ${shown(s)})`);
        return;
      }
      const [int = '', frac = ''] = s.split('.');
      if (frac.length > 6) fail(`${name} has at most 6 decimal places (got ${shown(s)})`);
      else if (int.replace(/^0+/, '').length > 12) fail(`${name} is too large (got ${shown(s)})`);
      else if (new Decimal(s).isZero()) fail(`${name} must be greater than 0`);
    })
    .transform((s) => new Decimal(s))
    .meta({ description: `${description} A decimal string such as "${example}"; JSON numbers are refused.`, pattern: DECIMAL_RE.source, examples: [example] });
}

/** A closed set of strings with a message that lists the allowed values. */
export function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T) {
  return z.enum(values, {
    error: (iss) =>
      iss.input === undefined ? `${name} is required (${quote(values)})` : `${name} must be ${quote(values)} (got ${shown(iss.input)})`,
  });
}

/** A UUID path/query value, e.g. an order id. */
export function uuidString(name: string) {
  return z
    .string({ error: `${name} is required` })
    .regex(UUID_RE, { error: (iss) => `${name} must be a UUID such as "3f2c9a9e-1b2c-4d5e-8f90-123456789abc" (got ${shown(iss.input)})` })
    .transform((s) => s.toLowerCase())
    .meta({ format: 'uuid' });
}

/** `?limit=` as a whole number in [1, max], default `def`. */
export function limitQuery(max: number, def: number) {
  return z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === '') return def;
      const n = /^\d{1,6}$/.test(s) ? Number(s) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > max) {
        ctx.addIssue({ code: 'custom', message: `limit must be a whole number from 1 to ${max} (got ${shown(s)})` });
        return z.NEVER;
      }
      return n;
    })
    .meta({ description: `How many to return, 1–${max} (default ${def}).`, pattern: '^\\d+$' });
}

/**
 * `?status=a,b` (comma-separated, or the parameter repeated) as a de-duplicated list of `allowed`
 * values, compared after `normalise` (orders use lower case, snipers the seed's upper case).
 */
export function statusListQuery<T extends string>(allowed: readonly T[], normalise: (s: string) => string, description: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const parts = (Array.isArray(raw) ? raw.join(',') : raw)
        .split(',')
        .map((s) => normalise(s.trim()))
        .filter(Boolean);
      if (parts.length === 0) return undefined;
      const bad = parts.filter((p) => !(allowed as readonly string[]).includes(p));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `status must be a comma-separated list of ${allowed.join(', ')} (unknown: ${bad.map((x) => shown(x.toLowerCase())).join(', ')})`,
        });
        return z.NEVER;
      }
      return [...new Set(parts)] as T[];
    })
    .meta({ description });
}

/** `?status=filled,cancelled` as a list of order statuses. */
export const statusQuery = statusListQuery(
  ORDER_STATUSES,
  (s) => s.toLowerCase(),
  `Comma-separated statuses to include: ${ORDER_STATUSES.join(', ')} (the parameter may also be repeated).`,
);

function text(name: string, max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(max, `${name} is at most ${max} characters`);
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const orderFields = {
  marketId: text('marketId', 200).meta({ description: 'Market id or slug (see GET /api/v1/markets).' }),
  side: oneOf('side', ['yes', 'no']),
  action: oneOf('action', ['buy', 'sell']),
  type: oneOf('type', ['market', 'limit']),
  amount: decimalString('amount', '25', 'USD to spend (market buys by amount).').optional(),
  quantity: decimalString('quantity', '10', 'Shares (limit orders, sells, market buys by shares).').optional(),
  price: decimalString('price', '0.45', 'Limit price in dollars per share, between 0 and 1; for market orders the worst acceptable price.').optional(),
  exchange: oneOf('exchange', VENUE_NAMES).optional().meta({ description: 'Force a venue; otherwise the SmartRouter chooses.' }),
  timeInForce: oneOf('timeInForce', TIME_IN_FORCE).optional(),
  expiresAt: z.iso
    .datetime({ offset: true, error: 'expiresAt must be an ISO 8601 date-time such as "2026-12-31T23:00:00Z"' })
    .transform((s) => new Date(s))
    .optional()
    .meta({ description: 'GTD orders only: when the unfilled rest is cancelled.' }),
};

/** Cross-field rules of an order, checked at the edge with clear messages (core checks them too). */
function orderRules(o: { type: string; action: string; amount?: Decimal; quantity?: Decimal; price?: Decimal }, ctx: z.RefinementCtx): void {
  const add = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (o.price && o.price.gte(1)) add('price', 'price must be below 1 (dollars per share of a $1 contract), e.g. "0.45"');
  if (o.type === 'limit') {
    if (!o.price) add('price', 'price is required for a limit order, e.g. "0.45"');
    if (!o.quantity) add('quantity', 'quantity (shares) is required for a limit order, e.g. "10"');
    if (o.amount) add('amount', 'amount is only for market buys; a limit order takes quantity and price');
    return;
  }
  if (o.action === 'sell') {
    if (!o.quantity) add('quantity', 'quantity (shares to sell) is required for a sell, e.g. "10"');
    if (o.amount) add('amount', 'amount is only for market buys; a sell takes quantity (shares)');
    return;
  }
  if (!o.amount && !o.quantity) add('amount', 'amount (USD to spend) or quantity (shares) is required for a market buy, e.g. "amount": "25"');
  if (o.amount && o.quantity) add('amount', 'a market buy takes amount (USD) or quantity (shares), not both');
}

export const quoteBody = z.strictObject(orderFields).superRefine(orderRules).meta({
  description: 'An order. Decimal values (amount, quantity, price) are strings such as "25" or "0.45"; JSON numbers are refused.',
});
export const orderBody = quoteBody;
export type OrderBody = z.output<typeof orderBody>;

const IDEMPOTENCY_RE = /^[\x21-\x7e]{1,128}$/;
export const idempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_RE, 'Idempotency-Key header must be 1 to 128 printable ASCII characters')
    .optional()
    .meta({ description: 'Repeat a request with the same key to get the same order instead of a second one (per user).' }),
});

export const orderIdParams = z.strictObject({ id: uuidString('order id') });
/** Routes without query parameters refuse unknown ones, like the routes that have some. */
export const noQuery = z.strictObject({});
export const listOrdersQuery = z.strictObject({ status: statusQuery, limit: limitQuery(200, 50) });

export const marketsQuery = z.strictObject({
  q: z.string().trim().max(200, 'q is at most 200 characters').optional().meta({ description: 'Words that must all appear in the id, slug, title, category or venue ids.' }),
  category: z.string().trim().max(100, 'category is at most 100 characters').optional(),
  limit: limitQuery(200, 50),
});
export const marketIdParams = z.strictObject({ id: text('market id', 200).meta({ description: 'Market id, slug, or an unambiguous search term.' }) });

export const createUserBody = z.strictObject({ name: text('name', 100) });
export const haltBody = z
  .strictObject({ reason: text('reason', 500).optional() })
  .optional()
  .transform((v) => v ?? {});
export const emptyBody = z
  .strictObject({})
  .optional()
  .transform((v) => v ?? {});
export const adminOrdersQuery = z.strictObject({
  status: statusQuery,
  userId: uuidString('userId').optional(),
  limit: limitQuery(500, 100),
});
export const adminUsersQuery = z.strictObject({ limit: limitQuery(500, 100) });

// ---------------------------------------------------------------------------------------------
// Responses (the serializer parses every reply against these)
// ---------------------------------------------------------------------------------------------

const dec = z.string().meta({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'Decimal as a string.' });
const decN = dec.nullable();
const date = z.string().meta({ format: 'date-time' });
const venue = z.enum(VENUE_NAMES);

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ description: 'Every error: `{ "error": { "code", "message" } }`.' });

export const fillJson = z.object({
  id: z.string(),
  venueTradeId: z.string(),
  price: dec,
  quantity: dec,
  fee: dec,
  late: z.boolean(),
  filledAt: date,
});

export const orderJson = z.object({
  id: z.string(),
  userId: z.string(),
  status: z.enum(ORDER_STATUSES),
  side: z.enum(['yes', 'no']),
  type: z.enum(['market', 'limit']),
  action: z.enum(['buy', 'sell']),
  price: dec,
  quantity: dec,
  amount: decN,
  filledQuantity: dec,
  avgFillPrice: decN,
  fee: dec,
  lateFillQuantity: dec,
  exchange: venue,
  source: z.string(),
  timeInForce: z.enum(TIME_IN_FORCE),
  marketId: z.string(),
  marketTitle: z.string(),
  listingId: z.string(),
  clientOrderId: z.string(),
  venueOrderId: z.string().nullable(),
  failureReason: z.string().nullable(),
  copyTradeSubId: z.string().nullable(),
  routing: z.unknown(),
  createdAt: date,
  updatedAt: date,
  fills: z.array(fillJson).optional(),
});

export const venueQuoteJson = z.object({
  venue,
  listingId: z.string(),
  fillable: z.boolean(),
  quantity: dec,
  avgPrice: decN,
  worstPrice: decN,
  notional: dec,
  fee: dec,
  total: dec,
  bestBid: decN,
  bestAsk: decN,
});

export const routeJson = z.object({
  venue,
  listingId: z.string(),
  reason: z.string(),
  forced: z.boolean(),
  chosen: venueQuoteJson,
  quotes: z.array(venueQuoteJson),
});

export const marketVenueJson = z.object({
  venue,
  listingId: z.string(),
  venueMarketId: z.string(),
  tickSize: dec,
  minSize: dec,
  yesBid: decN,
  yesAsk: decN,
  noBid: decN,
  noAsk: decN,
});

export const marketJson = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  category: z.string(),
  status: z.string(),
  venues: z.array(marketVenueJson),
});

export const positionJson = z.object({
  id: z.string(),
  marketId: z.string(),
  marketTitle: z.string(),
  listingId: z.string(),
  exchange: venue,
  side: z.enum(['yes', 'no']),
  quantity: dec,
  avgPrice: dec,
  costBasis: dec,
  currentPrice: decN,
  marketValue: decN,
  unrealizedPnl: decN,
  realizedPnl: dec,
  takeProfitPrice: decN,
  stopLossPrice: decN,
});

export const balanceJson = z.object({
  venues: z.array(z.object({ venue, available: dec, mode: z.enum(['paper', 'live']) })),
  total: dec,
});

export const userJson = z.object({
  id: z.string(),
  name: z.string(),
  maxOrderUsd: decN,
  skipConfirmBelowUsd: decN,
  createdAt: date,
});

export const haltJson = z.object({
  halted: z.boolean(),
  reason: z.string().nullable(),
  since: date.nullable(),
  by: z.string().nullable(),
});

export const queueStatsJson = z.object({
  queue: z.string(),
  queued: z.number().int(),
  active: z.number().int(),
  deferred: z.number().int(),
  total: z.number().int(),
});

/** Error responses for a route's documentation, keyed by status code. */
export function errors(...codes: number[]): Record<number, typeof errorResponse> {
  return Object.fromEntries(codes.map((c) => [c, errorResponse]));
}
