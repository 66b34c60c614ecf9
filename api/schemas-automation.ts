/**
 * Request and response schemas of the automation routes (issue 5): sniper orders and a position's
 * take-profit / stop-loss. Same conventions as api/schemas.ts: decimal values are strings (JSON
 * numbers refused, with a message that says why), unknown fields are refused, every message names
 * its field and shows the right form.
 */
import { z } from 'zod';
import { Decimal } from '../core/money.ts';
import type { SniperStatus } from '../core/automation/types.ts';
import { decimalString, oneOf, statusListQuery, uuidString, VENUE_NAMES } from './schemas.ts';

export const SNIPER_STATUSES = ['WATCHING', 'EXECUTING', 'FILLED', 'EXPIRED', 'CANCELLED', 'FAILED'] as const satisfies readonly SniperStatus[];

/** Slippage is a fraction with at most 4 decimal places (Decimal(5,4)), from 0 to 0.5 (50%). */
export const MAX_SLIPPAGE = '0.5';
const SLIPPAGE_RE = /^\d+(\.\d+)?$/;

function shown(input: unknown): string {
  const s = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function text(name: string, max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(max, `${name} is at most ${max} characters`);
}

/** A price strictly between 0 and 1 (dollars per share of a $1 contract), as a decimal string. */
function priceString(name: string, example: string, description: string) {
  return decimalString(name, example, description).refine((d: Decimal) => d.lt(1), {
    message: `${name} must be below 1 (dollars per share of a $1 contract), e.g. "${example}"`,
    abort: true,
  });
}

/** Slippage as a fraction string: "0.02" is 2%. Zero is allowed (no worse than the trigger). */
const slippageString = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? 'slippage must be a string such as "0.02" (2%); decimal values are sent as strings'
        : 'slippage must be a string such as "0.02" (2%)',
  })
  .superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message, continue: false });
    if (!SLIPPAGE_RE.test(s)) return fail(`slippage must be a fraction from 0 to ${MAX_SLIPPAGE} such as "0.02" for 2% (got ${shown(s)})`);
    if ((s.split('.')[1] ?? '').length > 4) return fail(`slippage has at most 4 decimal places, e.g. "0.025" for 2.5% (got ${shown(s)})`);
    if (new Decimal(s).gt(MAX_SLIPPAGE)) return fail(`slippage must be at most ${MAX_SLIPPAGE} (50%) (got ${shown(s)})`);
  })
  .transform((s) => new Decimal(s))
  .meta({
    description: 'How far above the trigger the buy may fill, as a fraction: "0.02" is 2% (the default). 0 to 0.5, at most 4 decimal places.',
    pattern: SLIPPAGE_RE.source,
    examples: ['0.02'],
  });

/** An ISO 8601 date-time in the future. */
const futureDateTime = z.iso
  .datetime({ offset: true, error: (iss) => `expiresAt must be an ISO 8601 date-time such as "2026-12-31T23:00:00Z" (got ${shown(iss.input)})` })
  .transform((s, ctx) => {
    const at = new Date(s);
    if (at.getTime() <= Date.now()) {
      ctx.addIssue({ code: 'custom', message: `expiresAt must be in the future (got "${s}"; it is now ${new Date().toISOString()})` });
      return z.NEVER;
    }
    return at;
  })
  .meta({ description: 'When an untriggered sniper expires (ISO 8601, in the future). Omit for no expiry.' });

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export const sniperBody = z
  .strictObject({
    marketId: text('marketId', 200).meta({ description: 'Market id or slug (see GET /api/v1/markets).' }),
    side: oneOf('side', ['yes', 'no']),
    triggerPrice: priceString('triggerPrice', '0.42', 'Fires when the ask of `side` is at or below this price (dollars per share, between 0 and 1).'),
    amount: decimalString('amount', '25', 'USD to spend when it fires.'),
    slippage: slippageString.optional(),
    expiresAt: futureDateTime.optional(),
    repeat: z
      .boolean({ error: (iss) => `repeat must be true or false (got ${shown(iss.input)})` })
      .optional()
      .meta({ description: 'Re-arm after each fill once the price has left the trigger zone (default false: fire once).' }),
    exchange: oneOf('exchange', VENUE_NAMES).optional().meta({ description: 'Watch and buy on this venue only; otherwise the best ask across venues.' }),
  })
  .meta({
    description:
      'A sniper: buy `amount` USD of `side` when its ask falls to `triggerPrice` or lower, at no worse than triggerPrice × (1 + slippage). ' +
      'Decimal values are strings; JSON numbers are refused.',
  });
export type SniperBody = z.output<typeof sniperBody>;

/** `?status=WATCHING,FILLED` (any case, comma-separated or repeated) as a list of sniper statuses. */
export const sniperStatusQuery = statusListQuery<SniperStatus>(
  SNIPER_STATUSES,
  (s) => s.toUpperCase(),
  `Comma-separated statuses to include: ${SNIPER_STATUSES.join(', ')} (any case; the parameter may also be repeated). Default: all.`,
);

export const listSnipersQuery = z.strictObject({ status: sniperStatusQuery });
export const sniperIdParams = z.strictObject({ id: uuidString('sniper id') });
export const positionIdParams = z.strictObject({ id: uuidString('position id') });

/** A level: a price string, or null to clear it. */
function level(name: string, example: string, description: string) {
  return decimalString(name, example, description)
    .refine((d: Decimal) => d.lt(1), { message: `${name} must be below 1 (dollars per share), e.g. "${example}", or null to clear it`, abort: true })
    .nullable()
    .optional()
    .meta({ description: `${description} A decimal string such as "${example}"; null clears it; omit to leave it as it is.` });
}

export const tpslBody = z
  .strictObject({
    takeProfitPrice: level('takeProfitPrice', '0.6', 'Sell when the bid rises to this price or higher.'),
    stopLossPrice: level('stopLossPrice', '0.3', 'Sell when the bid falls to this price or lower.'),
  })
  .superRefine((b, ctx) => {
    if (b.takeProfitPrice === undefined && b.stopLossPrice === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'send takeProfitPrice and/or stopLossPrice: a price string such as "0.6", or null to clear it',
      });
      return;
    }
    if (b.takeProfitPrice && b.stopLossPrice && b.takeProfitPrice.lte(b.stopLossPrice)) {
      ctx.addIssue({
        code: 'custom',
        path: ['takeProfitPrice'],
        message: `takeProfitPrice (${b.takeProfitPrice.toFixed()}) must be above stopLossPrice (${b.stopLossPrice.toFixed()})`,
      });
    }
  })
  .meta({ description: "Sets or clears a position's take-profit / stop-loss. At least one field; null clears; prices are strings." });
export type TpslBody = z.output<typeof tpslBody>;

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

const dec = z.string().meta({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'Decimal as a string.' });
const decN = dec.nullable();
const date = z.string().meta({ format: 'date-time' });

export const sniperJson = z.object({
  id: z.string(),
  status: z.enum(SNIPER_STATUSES),
  marketId: z.string(),
  marketTitle: z.string(),
  side: z.enum(['yes', 'no']),
  triggerPrice: dec,
  amount: dec,
  slippage: dec,
  expiresAt: date.nullable(),
  repeat: z.boolean(),
  exchange: z.enum(VENUE_NAMES).nullable(),
  paused: z.boolean(),
  fireCount: z.number().int(),
  orderIds: z.array(z.string()),
  failureReason: z.string().nullable(),
  createdAt: date,
  updatedAt: date,
});

export const tpslJson = z.object({
  id: z.string(),
  takeProfitPrice: decN,
  stopLossPrice: decN,
});
