/**
 * The paper venues' matching rules, pure (no I/O): order validation by the venue's tick, size and
 * step rules, walking a book for a taker order (by shares or by USD amount, fees included), matching
 * resting orders against a moved book, and the liquidity-consumption overlay.
 */
import { Decimal, ONE, ZERO, isMultipleOf, minDec, roundToStep } from '../../money.ts';
import { VenueError, type Action, type BookLevel, type Outcome, type PlaceOrderRequest, type Venue } from '../types.ts';

/** Smallest share increment: Polymarket 0.01 shares, Kalshi 1 contract. */
export function quantityStepOf(venue: Venue): Decimal {
  return new Decimal(venue === 'kalshi' ? '1' : '0.01');
}

/** A venue rejection with a code and a sentence a person can read. */
export function rejected(venue: Venue, code: string, message: string): VenueError {
  return new VenueError({ kind: 'rejected', code, venue, message });
}

/** How the venue executes a validated order. */
export type ExecutionMode =
  /** Take what the book has within the price; FOK all-or-nothing, FAK the rest cancelled. */
  | { kind: 'take'; allOrNothing: boolean }
  /** Take what is marketable now, rest the remainder (GTC / GTD). */
  | { kind: 'rest'; expiresAt: Date | null };

export interface ValidatedOrder {
  mode: ExecutionMode;
  /** Shares, on the venue's step (rounded down). Absent for a buy by USD amount. */
  quantity: Decimal | null;
  amount: Decimal | null;
}

/**
 * Checks an order against the venue's rules: price on the tick grid within [tick, 1 − tick],
 * quantity rounded down to the venue's step and at least the listing's minimum size, a USD amount
 * only on buys that do not rest, GTD with a future expiry.
 */
export function validateOrder(req: PlaceOrderRequest, now: Date): ValidatedOrder {
  const venue = req.listing.venue;
  const tick = req.listing.tickSize;
  if (!req.price.isFinite() || !isMultipleOf(req.price, tick) || req.price.lt(tick) || req.price.gt(ONE.sub(tick))) {
    throw rejected(venue, 'INVALID_ORDER_MIN_TICK_SIZE', `price ${req.price.toFixed()} breaks the minimum tick size rule: it must be a multiple of ${tick.toFixed()} between ${tick.toFixed()} and ${ONE.sub(tick).toFixed()}`);
  }
  const mode: ExecutionMode =
    req.type === 'market' || req.timeInForce === 'FOK' || req.timeInForce === 'FAK'
      ? { kind: 'take', allOrNothing: req.timeInForce === 'FOK' }
      : { kind: 'rest', expiresAt: req.timeInForce === 'GTD' ? (req.expiresAt ?? null) : null };
  if (mode.kind === 'rest' && req.timeInForce === 'GTD' && (!req.expiresAt || req.expiresAt.getTime() <= now.getTime())) {
    throw rejected(venue, 'INVALID_ORDER_EXPIRATION', 'a GTD order needs an expiration time in the future');
  }

  if (req.quantity === undefined) {
    if (req.amount === undefined) throw rejected(venue, 'INVALID_ORDER_ERROR', 'the order needs a quantity (or a USD amount for a market buy)');
    if (req.action !== 'buy') throw rejected(venue, 'INVALID_ORDER_ERROR', 'a sell needs a quantity of shares, not a USD amount');
    if (mode.kind !== 'take') throw rejected(venue, 'INVALID_ORDER_ERROR', 'a USD amount is only accepted for market (FOK/FAK) buys');
    if (!req.amount.isFinite() || req.amount.lte(0)) throw rejected(venue, 'INVALID_ORDER_ERROR', 'the amount must be more than $0');
    return { mode, quantity: null, amount: req.amount };
  }
  if (!req.quantity.isFinite() || req.quantity.lte(0)) throw rejected(venue, 'INVALID_ORDER_ERROR', 'the quantity must be more than 0');
  const quantity = roundToStep(req.quantity, quantityStepOf(venue), 'down');
  if (quantity.lt(req.listing.minSize) || quantity.isZero()) {
    throw rejected(venue, 'INVALID_ORDER_MIN_SIZE', `order size ${req.quantity.toFixed()} is below the minimum of ${req.listing.minSize.toFixed()} shares for this market`);
  }
  return { mode, quantity, amount: null };
}

export interface TakeFill {
  price: Decimal;
  quantity: Decimal;
  fee: Decimal;
}

export interface TakePlan {
  /** One fill per book level taken, best first. */
  fills: TakeFill[];
  quantity: Decimal;
  /** Σ price × quantity. */
  notional: Decimal;
  fee: Decimal;
  /** The whole request is covered (all shares, or the amount spent down to less than one step). */
  complete: boolean;
}

/**
 * Walks `levels` (best first: asks for a buy, bids for a sell) never beyond `limitPrice`, taking
 * `quantity` shares or, for a buy by `amount`, as many shares as notional + taker fee ≤ amount.
 * The fee is charged per fill (per level), as each level is a separate trade.
 */
export function planTake(args: {
  levels: readonly BookLevel[];
  action: Action;
  limitPrice: Decimal;
  quantity?: Decimal | null;
  amount?: Decimal | null;
  step: Decimal;
  takerFee: (price: Decimal, qty: Decimal) => Decimal;
}): TakePlan {
  const { levels, action, limitPrice, step, takerFee } = args;
  const fills: TakeFill[] = [];
  let remainingQty = args.quantity ?? null;
  let budget = args.amount ?? null;
  let quantity = ZERO;
  let notional = ZERO;
  let fee = ZERO;
  let budgetBound = false;
  let lastPrice: Decimal | null = null;
  for (const level of levels) {
    if (action === 'buy' ? level.price.gt(limitPrice) : level.price.lt(limitPrice)) break;
    lastPrice = level.price;
    let take = roundToStep(level.size, step, 'down');
    if (remainingQty) take = minDec(take, remainingQty);
    if (budget) {
      const affordable = affordableQuantity(level.price, take, budget, step, takerFee);
      if (affordable.lt(take)) budgetBound = true;
      take = affordable;
    }
    if (take.gt(0)) {
      const f = takerFee(level.price, take);
      fills.push({ price: level.price, quantity: take, fee: f });
      quantity = quantity.add(take);
      notional = notional.add(take.mul(level.price));
      fee = fee.add(f);
      if (remainingQty) remainingQty = remainingQty.sub(take);
      if (budget) budget = budget.sub(take.mul(level.price)).sub(f);
    }
    if (budgetBound || (remainingQty && remainingQty.lte(0))) break;
  }
  let complete: boolean;
  if (args.quantity) complete = quantity.gte(args.quantity);
  else if (budgetBound) complete = true;
  else complete = lastPrice !== null && budget !== null && budget.lt(lastPrice.mul(step).add(takerFee(lastPrice, step)));
  return { fills, quantity, notional, fee, complete };
}

/** Largest multiple of `step` ≤ `max` whose price × q + fee(q) fits in `budget` (fees are monotone in q). */
function affordableQuantity(price: Decimal, max: Decimal, budget: Decimal, step: Decimal, fee: (p: Decimal, q: Decimal) => Decimal): Decimal {
  const cost = (q: Decimal) => q.mul(price).add(fee(price, q));
  if (cost(max).lte(budget)) return max;
  let lo = ZERO; // affordable units
  let hi = minDec(max, budget.div(price)).div(step).floor(); // upper bound on units
  if (cost(hi.mul(step)).lte(budget)) return hi.mul(step);
  // Invariant: lo affordable, hi not.
  while (hi.sub(lo).gt(1)) {
    const mid = lo.add(hi).div(2).floor();
    if (cost(mid.mul(step)).lte(budget)) lo = mid;
    else hi = mid;
  }
  return lo.mul(step);
}

/**
 * A resting order against a moved book: a buy at L fills against asks ≤ L, a sell at L against
 * bids ≥ L, up to its remaining quantity (on the step). It fills at its own price L (it is the maker).
 * Returns the quantity and the levels it took (to consume them).
 */
export function crossResting(args: {
  action: Action;
  price: Decimal;
  remaining: Decimal;
  /** Opposite side of the order's outcome book, best first, after consumption. */
  levels: readonly BookLevel[];
  step: Decimal;
}): { quantity: Decimal; taken: BookLevel[] } {
  const taken: BookLevel[] = [];
  let left = roundToStep(args.remaining, args.step, 'down');
  let quantity = ZERO;
  for (const level of args.levels) {
    if (left.lte(0)) break;
    if (args.action === 'buy' ? level.price.gt(args.price) : level.price.lt(args.price)) break;
    const take = roundToStep(minDec(level.size, left), args.step, 'down');
    if (take.lte(0)) break;
    taken.push({ price: level.price, size: take });
    quantity = quantity.add(take);
    left = left.sub(take);
  }
  return { quantity, taken };
}

type BookSide = 'bids' | 'asks';

/** One consumed slice, as recorded so it can be given back if the order does not go through. */
export interface Consumption {
  key: string;
  generation: number;
  levelKey: string;
  quantity: Decimal;
}

/**
 * Liquidity taken from the feed's books since the listing's last update. A taker cannot take the
 * same level twice; the overlay of a listing is cleared when the feed publishes a new book for it.
 * Kept in YES terms, so taking the NO book consumes the mirrored YES level (NO ask q = YES bid 1 − q).
 */
export class LiquidityOverlay {
  private readonly consumed = new Map<string, { generation: number; levels: Map<string, Decimal> }>();

  /** Forgets a listing's consumption (the feed published a fresh book). */
  reset(key: string): void {
    const cur = this.consumed.get(key);
    this.consumed.set(key, { generation: (cur?.generation ?? 0) + 1, levels: new Map() });
  }

  /** The levels still available: sizes net of consumption, empty levels dropped. */
  available(key: string, outcome: Outcome, side: BookSide, levels: readonly BookLevel[]): BookLevel[] {
    const entry = this.consumed.get(key);
    if (!entry || entry.levels.size === 0) return levels as BookLevel[];
    const out: BookLevel[] = [];
    for (const l of levels) {
      const used = entry.levels.get(levelKey(outcome, side, l.price));
      if (!used) out.push(l);
      else if (l.size.gt(used)) out.push({ price: l.price, size: l.size.sub(used) });
    }
    return out;
  }

  /** Records that `quantity` was taken at `price` on `side` of the `outcome` book. */
  consume(key: string, outcome: Outcome, side: BookSide, price: Decimal, quantity: Decimal): Consumption {
    let entry = this.consumed.get(key);
    if (!entry) {
      entry = { generation: 0, levels: new Map() };
      this.consumed.set(key, entry);
    }
    const lk = levelKey(outcome, side, price);
    entry.levels.set(lk, (entry.levels.get(lk) ?? ZERO).add(quantity));
    return { key, generation: entry.generation, levelKey: lk, quantity };
  }

  /** Gives consumption back (an order that failed), unless the book was replaced meanwhile. */
  release(items: readonly Consumption[]): void {
    for (const c of items) {
      const entry = this.consumed.get(c.key);
      if (!entry || entry.generation !== c.generation) continue;
      const left = (entry.levels.get(c.levelKey) ?? ZERO).sub(c.quantity);
      if (left.lte(0)) entry.levels.delete(c.levelKey);
      else entry.levels.set(c.levelKey, left);
    }
  }
}

function levelKey(outcome: Outcome, side: BookSide, price: Decimal): string {
  if (outcome === 'yes') return `${side}|${price.toFixed()}`;
  // NO bids are YES asks at 1 − p; NO asks are YES bids at 1 − p.
  return `${side === 'bids' ? 'asks' : 'bids'}|${ONE.sub(price).toFixed()}`;
}
