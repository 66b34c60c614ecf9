/**
 * Executable quotes: walk a book for the whole order, level by level, and add the venue's fee.
 * Used by the SmartRouter to compare venues and by confirmations to show what an order would cost.
 */
import { Decimal, ZERO, minDec, roundToStep } from '../money.ts';
import type { BookLevel } from '../exchanges/types.ts';

export interface WalkResult {
  /** Shares taken. */
  quantity: Decimal;
  /** Σ price × size over the levels taken. */
  notional: Decimal;
  avgPrice: Decimal | null;
  worstPrice: Decimal | null;
  /** True when the whole request was covered. */
  complete: boolean;
  /** What was taken at each level (venues charge fees per fill, i.e. per level). */
  slices: { price: Decimal; quantity: Decimal }[];
}

/**
 * Walks `levels` (best first) taking either `quantity` shares or shares worth `amount` USD
 * (amount includes the fee when `feeFor` is given), never beyond `limitPrice`, in steps of `step` shares.
 */
export function walkBook(args: {
  levels: readonly BookLevel[];
  side: 'buy' | 'sell';
  quantity?: Decimal;
  amount?: Decimal;
  limitPrice?: Decimal;
  step: Decimal;
  /** Fee on a slice, for amount budgeting (buy by amount spends notional + fee ≤ amount). */
  feeFor?: (price: Decimal, quantity: Decimal) => Decimal;
}): WalkResult {
  const { levels, side, step } = args;
  let remainingQty = args.quantity ?? null;
  let remainingUsd = args.amount ?? null;
  let quantity = ZERO;
  let notional = ZERO;
  let worst: Decimal | null = null;
  let budgetSpent = false;
  const slices: { price: Decimal; quantity: Decimal }[] = [];
  for (const level of levels) {
    if (args.limitPrice && (side === 'buy' ? level.price.gt(args.limitPrice) : level.price.lt(args.limitPrice))) break;
    let take = level.size;
    if (remainingQty) take = minDec(take, remainingQty);
    if (remainingUsd) {
      // Largest step multiple whose notional (+ fee) fits in the remaining budget.
      const perShare = level.price;
      let byBudget = roundToStep(remainingUsd.div(perShare), step, 'down');
      if (args.feeFor && byBudget.gt(0)) {
        // First guess from the fee rate at this size, then step down until it fits.
        const rate = args.feeFor(perShare, byBudget).div(byBudget);
        byBudget = roundToStep(remainingUsd.div(perShare.add(rate)), step, 'down');
        while (byBudget.gt(0) && byBudget.mul(perShare).add(args.feeFor(perShare, byBudget)).gt(remainingUsd)) {
          byBudget = byBudget.sub(step);
        }
      }
      take = minDec(take, byBudget);
    }
    take = roundToStep(take, step, 'down');
    if (take.lte(0)) {
      if (remainingUsd) {
        budgetSpent = true;
        break;
      }
      continue;
    }
    const cost = take.mul(level.price);
    slices.push({ price: level.price, quantity: take });
    quantity = quantity.add(take);
    notional = notional.add(cost);
    worst = level.price;
    if (remainingQty) {
      remainingQty = remainingQty.sub(take);
      if (remainingQty.lte(0)) break;
    }
    if (remainingUsd) {
      remainingUsd = remainingUsd.sub(cost).sub(args.feeFor ? args.feeFor(level.price, take) : ZERO);
      if (remainingUsd.lt(level.price.mul(step))) {
        budgetSpent = true;
        break;
      }
    }
  }
  const complete = args.quantity ? quantity.gte(args.quantity) : budgetSpent;
  return {
    quantity,
    notional,
    avgPrice: quantity.gt(0) ? notional.div(quantity) : null,
    worstPrice: worst,
    complete,
    slices,
  };
}
