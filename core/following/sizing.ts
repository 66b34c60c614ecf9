/**
 * What a follow does about one target trade, before any I/O: which side and action, and how many
 * shares. Pure functions; the executor supplies prices, caps and holdings.
 *
 * Rules (the /help counter and /help copy texts say the same):
 * - counter (inverse): the target BUYS an outcome → we BUY the opposite outcome of the same market;
 *   the target SELLS an outcome → we SELL the opposite outcome we bought by counter-trading it
 *   (exit the matching counter position), never more than this follow bought and still holds.
 * - copy: the same outcome and action as the target; its sells exit what the copy-trade bought.
 * - shares = target shares × sizeMultiplier, rounded down to the market's share step; buys are then
 *   capped so that shares × worst price ≤ min(maxTradeSize, the user's per-order limit).
 */
import { Decimal, ONE, minDec, roundToStep } from '../money.ts';
import type { Action, Outcome } from '../exchanges/types.ts';
import type { FollowKind } from './types.ts';

export function opposite(o: Outcome): Outcome {
  return o === 'yes' ? 'no' : 'yes';
}

/** Our side and action for a target trade of `targetOutcome`. */
export function followDirection(kind: FollowKind, targetSide: 'BUY' | 'SELL', targetOutcome: Outcome): { side: Outcome; action: Action } {
  const side = kind === 'counter' ? opposite(targetOutcome) : targetOutcome;
  return { side, action: targetSide === 'BUY' ? 'buy' : 'sell' };
}

/** target × multiplier on the share step. */
export function scaledShares(targetSize: Decimal, multiplier: Decimal, step: Decimal): Decimal {
  return roundToStep(targetSize.mul(multiplier), step, 'down');
}

/**
 * Caps a buy of `shares` at `priceEstimate` (the worst price it may pay) to `capUsd` (the smaller of
 * maxTradeSize and the per-order limit). Returns the shares and whether the cap cut them.
 */
export function capBuy(args: { shares: Decimal; priceEstimate: Decimal; capUsd: Decimal | null; step: Decimal }): { shares: Decimal; capped: boolean } {
  const { shares, capUsd, step } = args;
  const price = minDec(args.priceEstimate, ONE);
  if (!capUsd || price.lte(0) || shares.mul(price).lte(capUsd)) return { shares, capped: false };
  return { shares: roundToStep(capUsd.div(price), step, 'down'), capped: true };
}

/** The worst price a market buy will carry: the quote's worst level × (1 + slippage), below $1. */
export function worstBuyPrice(quoteWorst: Decimal, slippage: Decimal): Decimal {
  return minDec(quoteWorst.mul(ONE.add(slippage)), new Decimal('0.999999'));
}
