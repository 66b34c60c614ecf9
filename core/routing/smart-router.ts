/**
 * SmartRouter (seed: "SmartRouterService"): a single-venue market goes to its venue; for a
 * cross-listed market it compares the executable cost of the WHOLE order on each venue's book
 * (every level walked, plus the venue's fee), picks the better one and says why.
 * The caller may force a venue.
 */
import { Decimal, ZERO, usd } from '../money.ts';
import type { Action, AdapterRegistry, ListingRef, Outcome, Venue } from '../exchanges/types.ts';
import { TradingError, type RouteDecision, type VenueQuote } from '../trading/types.ts';
import { walkBook } from './quote.ts';

export interface RouteRequest {
  listings: ListingRef[];
  outcome: Outcome;
  action: Action;
  /** Shares (limit orders, sells, buys by shares). */
  quantity?: Decimal;
  /** USD to spend (market buys by amount). */
  amount?: Decimal;
  /** Limit price, or the worst acceptable price. */
  limitPrice?: Decimal;
  forceVenue?: Venue;
}

export class SmartRouter {
  constructor(private readonly deps: { adapters: AdapterRegistry }) {}

  /** Quotes one listing: walks its book for the whole order and adds the venue's taker fee. */
  async quote(listing: ListingRef, req: Omit<RouteRequest, 'listings' | 'forceVenue'>): Promise<VenueQuote> {
    const adapter = this.deps.adapters.get(listing.venue);
    if (!adapter) throw new TradingError('venue_not_listed', `${listing.venue} is not available right now.`);
    const book = await adapter.getOrderBook({ listing, outcome: req.outcome });
    const levels = req.action === 'buy' ? book.asks : book.bids;
    const feeFor = (price: Decimal, qty: Decimal) => adapter.takerFee({ listing, price, quantity: qty });
    const walk = walkBook({
      levels,
      side: req.action,
      quantity: req.quantity,
      amount: req.amount,
      limitPrice: req.limitPrice,
      step: adapter.capabilities.quantityStep,
      feeFor: req.amount ? feeFor : undefined,
    });
    // Fees are charged per fill, and a fill is per level: sum them the way the venue will.
    const fee = walk.slices.reduce((total, s) => total.add(feeFor(s.price, s.quantity)), ZERO);
    return {
      venue: listing.venue,
      listingId: listing.listingId,
      fillable: walk.complete,
      quantity: walk.quantity,
      avgPrice: walk.avgPrice,
      worstPrice: walk.worstPrice,
      notional: walk.notional,
      fee,
      total: req.action === 'buy' ? walk.notional.add(fee) : walk.notional.sub(fee),
      bestBid: book.bids[0]?.price ?? null,
      bestAsk: book.asks[0]?.price ?? null,
    };
  }

  /** Chooses the venue. Throws venue_not_listed when a forced venue does not list the market. */
  async route(req: RouteRequest): Promise<RouteDecision> {
    let candidates = req.listings.filter((l) => this.deps.adapters.has(l.venue));
    if (req.forceVenue) {
      candidates = candidates.filter((l) => l.venue === req.forceVenue);
      if (candidates.length === 0) {
        const where = req.listings.map((l) => l.venue).join(' and ') || 'no venue';
        throw new TradingError('venue_not_listed', `This market is not listed on ${req.forceVenue}; it trades on ${where}.`);
      }
    }
    if (candidates.length === 0) throw new TradingError('venue_not_listed', 'No venue trades this market right now.');
    const quotes = await Promise.all(candidates.map((l) => this.quote(l, req)));
    const ranked = [...quotes].sort((a, b) => compareQuotes(a, b, req));
    const chosen = ranked[0]!;
    return {
      venue: chosen.venue,
      listingId: chosen.listingId,
      quotes,
      chosen,
      forced: Boolean(req.forceVenue),
      reason: explain(chosen, ranked[1], req),
    };
  }
}

/** Negative when a is the better execution. Fillable beats unfillable; then price for the whole order. */
function compareQuotes(a: VenueQuote, b: VenueQuote, req: RouteRequest): number {
  if (a.fillable !== b.fillable) return a.fillable ? -1 : 1;
  let cmp: number;
  if (req.amount) {
    // Same dollars: more shares is better.
    cmp = b.quantity.cmp(a.quantity);
  } else if (a.quantity.isZero() && b.quantity.isZero()) {
    // Nothing executes now (e.g. a resting limit): the better top of book wins.
    const top = (q: VenueQuote) => (req.action === 'buy' ? q.bestAsk : q.bestBid);
    const ta = top(a);
    const tb = top(b);
    if (!ta || !tb) cmp = ta ? -1 : tb ? 1 : 0;
    else cmp = req.action === 'buy' ? ta.cmp(tb) : tb.cmp(ta);
  } else if (!a.quantity.eq(b.quantity)) {
    cmp = b.quantity.cmp(a.quantity);
  } else {
    // Same shares: buys pay less, sells receive more.
    cmp = req.action === 'buy' ? a.total.cmp(b.total) : b.total.cmp(a.total);
  }
  return cmp !== 0 ? cmp : a.venue.localeCompare(b.venue);
}

function explain(chosen: VenueQuote, runnerUp: VenueQuote | undefined, req: RouteRequest): string {
  if (req.forceVenue) return `${chosen.venue}: you chose this venue.`;
  if (!runnerUp) {
    // Sells are routed only among the listings where the user holds the shares.
    return req.action === 'sell' ? `${chosen.venue}: where you hold these shares.` : `${chosen.venue}: the only venue that lists this market.`;
  }
  if (chosen.fillable && !runnerUp.fillable) {
    return `${chosen.venue}: ${runnerUp.venue} does not have enough liquidity for the whole order.`;
  }
  if (req.amount) {
    const extra = chosen.quantity.sub(runnerUp.quantity);
    return `${chosen.venue}: ${extra.toFixed(2)} more shares for ${usd(req.amount)} than on ${runnerUp.venue} (${chosen.quantity.toFixed(2)} vs ${runnerUp.quantity.toFixed(2)}, fees included).`;
  }
  if (chosen.quantity.isZero()) {
    return `${chosen.venue}: better top of book than ${runnerUp.venue}.`;
  }
  const diff = chosen.total.sub(runnerUp.total).abs();
  return req.action === 'buy'
    ? `${chosen.venue}: ${usd(diff)} cheaper than ${runnerUp.venue} for ${chosen.quantity.toFixed(2)} shares, fees included.`
    : `${chosen.venue}: ${usd(diff)} more than ${runnerUp.venue} for ${chosen.quantity.toFixed(2)} shares, after fees.`;
}
