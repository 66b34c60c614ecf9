/**
 * Turns a routed request into the exact price and quantity sent to the venue, by the venue's rules:
 * prices on the tick grid within [tick, 1 − tick], quantities on the venue's share step, minimum size,
 * and a slippage guard on market orders.
 */
import { Decimal, ONE, isMultipleOf, maxDec, minDec, roundToStep } from '../money.ts';
import type { ListingRef, VenueCapabilities } from '../exchanges/types.ts';
import { TradingError, type PlaceOrderInput, type VenueQuote } from './types.ts';

export interface OrderParams {
  price: Decimal;
  quantity: Decimal;
  amount: Decimal | null;
}

export function venueOrderParams(args: {
  input: PlaceOrderInput;
  listing: ListingRef;
  capabilities: VenueCapabilities;
  quote: VenueQuote;
  slippage: Decimal;
}): OrderParams {
  const { input, listing, capabilities, quote, slippage } = args;
  const tick = listing.tickSize;
  const lo = tick;
  const hi = ONE.sub(tick);
  const venue = listing.venue;

  if (input.type === 'limit') {
    const price = input.price!;
    if (!isMultipleOf(price, tick)) {
      throw new TradingError('invalid_input', `${price.toFixed()} is not on ${venue}'s price grid for this market: prices move in steps of ${tick.toFixed()}.`, { field: 'price', tickSize: tick.toFixed() });
    }
    if (price.lt(lo) || price.gt(hi)) {
      throw new TradingError('invalid_input', `On ${venue} this market's price must be between ${lo.toFixed()} and ${hi.toFixed()}.`, { field: 'price' });
    }
  }
  if (input.quantity && !isMultipleOf(input.quantity, capabilities.quantityStep)) {
    throw new TradingError('invalid_input', `${venue} trades this market in steps of ${capabilities.quantityStep.toFixed()} shares; ${input.quantity.toFixed()} is not one of them.`, { field: 'quantity' });
  }

  let price: Decimal;
  if (input.type === 'limit') {
    price = input.price!;
  } else if (input.price) {
    // A caller-given worst price (e.g. a sniper's trigger × (1 + slippage)), snapped to the grid safely.
    price = roundToStep(input.price, tick, input.action === 'buy' ? 'down' : 'up');
  } else {
    if (!quote.worstPrice || quote.quantity.isZero()) {
      throw new TradingError('insufficient_liquidity', `There is nothing to ${input.action} on ${venue} right now: the book is empty on that side.`);
    }
    const guard = input.action === 'buy' ? quote.worstPrice.mul(ONE.add(slippage)) : quote.worstPrice.mul(ONE.sub(slippage));
    price = roundToStep(guard, tick, input.action === 'buy' ? 'up' : 'down');
  }
  price = minDec(maxDec(price, lo), hi);

  const quantity = input.quantity ?? quote.quantity;
  if (quantity.lt(listing.minSize)) {
    throw new TradingError('below_minimum', `${venue}'s minimum for this market is ${listing.minSize.toFixed()} shares; this order is ${quantity.toFixed(2)}.`, { minSize: listing.minSize.toFixed() });
  }
  return { price, quantity, amount: input.amount ?? null };
}
