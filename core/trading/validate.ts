/**
 * Order input rules that hold whatever the venue: shapes and combinations of fields, and the
 * venue-agnostic price range. Venue rules (tick, minimum size) are checked in order-params.ts.
 */
import { Decimal } from '../money.ts';
import { VENUES } from '../exchanges/types.ts';
import { TradingError, type PlaceOrderInput } from './types.ts';

const TIFS = ['GTC', 'GTD', 'FOK', 'FAK'] as const;

function bad(message: string, field?: string): never {
  throw new TradingError('invalid_input', message, field ? { field } : undefined);
}

function positive(v: unknown, field: string, example: string): asserts v is Decimal {
  if (!(v instanceof Decimal) || !v.isFinite()) bad(`${field} must be a number such as ${example}.`, field);
  if (v.lte(0)) bad(`${field} must be greater than zero.`, field);
}

/** Throws TradingError('invalid_input') with a message naming the field and the right form. */
export function validateOrderInput(input: PlaceOrderInput): void {
  if (!input.userId) bad('A user is required.', 'userId');
  if (typeof input.marketId !== 'string' || input.marketId.trim() === '') bad('marketId is required: a market id or slug.', 'marketId');
  if (input.side !== 'yes' && input.side !== 'no') bad('side must be "yes" or "no".', 'side');
  if (input.action !== 'buy' && input.action !== 'sell') bad('action must be "buy" or "sell".', 'action');
  if (input.type !== 'market' && input.type !== 'limit') bad('type must be "market" or "limit".', 'type');
  if (input.exchange !== undefined && !(VENUES as readonly string[]).includes(input.exchange)) {
    bad(`exchange must be one of ${VENUES.join(', ')}.`, 'exchange');
  }
  if (input.timeInForce !== undefined && !(TIFS as readonly string[]).includes(input.timeInForce)) {
    bad(`timeInForce must be one of ${TIFS.join(', ')}.`, 'timeInForce');
  }
  if (input.amount !== undefined) positive(input.amount, 'amount', '"25" (USD)');
  if (input.quantity !== undefined) positive(input.quantity, 'quantity', '"10" (shares)');
  if (input.price !== undefined) {
    positive(input.price, 'price', '"0.42"');
    if (input.price.gte(1)) bad('price must be between 0 and 1 (dollars per share, e.g. "0.42").', 'price');
  }
  if (input.amount !== undefined && input.quantity !== undefined) bad('Give either amount (USD) or quantity (shares), not both.', 'amount');
  if (input.type === 'limit') {
    if (input.price === undefined) bad('A limit order needs a price, e.g. "0.42".', 'price');
    if (input.quantity === undefined) bad('A limit order needs a quantity in shares, e.g. "10".', 'quantity');
  }
  if (input.action === 'sell' && input.quantity === undefined) bad('A sell needs a quantity in shares, e.g. "10".', 'quantity');
  if (input.action === 'buy' && input.type === 'market' && input.amount === undefined && input.quantity === undefined) {
    bad('A market buy needs an amount in USD (e.g. "25") or a quantity in shares.', 'amount');
  }
  if (input.timeInForce === 'GTD' && !(input.expiresAt instanceof Date && input.expiresAt.getTime() > Date.now())) {
    bad('A GTD order needs expiresAt in the future, e.g. "2026-12-31T23:00:00Z".', 'expiresAt');
  }
  if (input.expiresAt !== undefined && input.timeInForce !== 'GTD') bad('expiresAt only applies to GTD orders (timeInForce "GTD").', 'expiresAt');
  if (input.type === 'market' && input.timeInForce && input.timeInForce !== 'FAK' && input.timeInForce !== 'FOK') {
    bad('A market order is immediate: timeInForce must be FAK (take what there is) or FOK (all or nothing).', 'timeInForce');
  }
  if (input.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(input.idempotencyKey)) {
    bad('The idempotency key must be 1–128 printable characters without spaces.', 'idempotencyKey');
  }
}
