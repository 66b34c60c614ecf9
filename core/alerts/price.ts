/** The one price alerts and charts speak of: a market's YES mid. */
import { Decimal, ZERO, sum } from '../money.ts';

const TWO = new Decimal(2);

/** YES mid of one book: (bid + ask) / 2, or the one side there is; null without either. */
export function yesMid(bid: Decimal | null | undefined, ask: Decimal | null | undefined): Decimal | null {
  if (bid && ask) return bid.add(ask).div(TWO);
  return bid ?? ask ?? null;
}

/** A market's YES price: the mean of its venues' mids (venues without a quote are left out). */
export function marketMid(quotes: { yesBid: Decimal | null; yesAsk: Decimal | null }[]): Decimal | null {
  const mids = quotes.map((q) => yesMid(q.yesBid, q.yesAsk)).filter((m): m is Decimal => m !== null);
  if (mids.length === 0) return null;
  return sum(mids).div(mids.length).toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
}

/** "5" for 0.05: a move in points (cents of $1). */
export function points(move: Decimal): string {
  return move.abs().mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);
}

export function signOf(v: Decimal): string {
  return v.gt(ZERO) ? '+' : v.lt(ZERO) ? '-' : '';
}
