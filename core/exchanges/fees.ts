/**
 * Venue fee models, on Decimal. Prices are dollars per $1 payout, quantities shares/contracts.
 *
 * - Polymarket: most markets are fee-free. Where a market charges, the taker fee is
 *   C × rate × (p(1 − p))^exponent with rate and exponent per market (`fd.r`, `fd.e` from
 *   /clob-markets), rounded half-up to 4 decimals (USDC, 0.0001 the smallest fee). Makers pay nothing.
 * - Kalshi: taker fee = ceil-to-cent(0.07 × C × P × (1 − P)); maker fee on designated markets
 *   ceil-to-cent(0.0175 × C × P × (1 − P)). Coefficients are third-party figures: configurable.
 */
import { Decimal, ONE, ZERO } from '../money.ts';
import type { Venue } from './types.ts';

/** Fees of one venue (or one listing): what a taker or a maker pays on `qty` at `price`. */
export interface FeeModel {
  taker(price: Decimal, qty: Decimal): Decimal;
  maker(price: Decimal, qty: Decimal): Decimal;
}

/** A Polymarket market's fee parameters; absent = fee-free. */
export interface PolymarketFeeParams {
  rate: Decimal.Value;
  exponent: Decimal.Value;
}

export interface KalshiFeeParams {
  /** Taker coefficient, default 0.07. */
  takerCoefficient?: Decimal.Value;
  /** Maker coefficient, default 0.0175. */
  makerCoefficient?: Decimal.Value;
}

export const KALSHI_TAKER_COEFFICIENT = new Decimal('0.07');
export const KALSHI_MAKER_COEFFICIENT = new Decimal('0.0175');

const CENT = new Decimal('0.01');

/** Polymarket taker fee: C × rate × (p(1 − p))^exponent, 4 dp; zero without fee parameters. */
export function polymarketTakerFee(price: Decimal, qty: Decimal, params?: PolymarketFeeParams | null): Decimal {
  if (!params || qty.lte(0)) return ZERO;
  const rate = new Decimal(params.rate);
  if (rate.isZero()) return ZERO;
  const variance = price.mul(ONE.sub(price));
  if (variance.lte(0)) return ZERO;
  return qty.mul(rate).mul(variance.pow(new Decimal(params.exponent))).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
}

/** Kalshi fee: ceil-to-cent(coefficient × C × P × (1 − P)). */
export function kalshiFee(price: Decimal, qty: Decimal, coefficient: Decimal.Value = KALSHI_TAKER_COEFFICIENT): Decimal {
  if (qty.lte(0)) return ZERO;
  const raw = new Decimal(coefficient).mul(qty).mul(price).mul(ONE.sub(price));
  if (raw.lte(0)) return ZERO;
  return raw.div(CENT).ceil().mul(CENT);
}

/**
 * The fee model of a venue. `polymarket` = that market's fee parameters (none: fee-free);
 * `kalshi` = coefficients (defaults 0.07 taker, 0.0175 maker).
 */
export function feeModelFor(venue: Venue, opts: { polymarket?: PolymarketFeeParams | null; kalshi?: KalshiFeeParams } = {}): FeeModel {
  if (venue === 'polymarket') {
    const params = opts.polymarket ?? null;
    return { taker: (price, qty) => polymarketTakerFee(price, qty, params), maker: () => ZERO };
  }
  const taker = opts.kalshi?.takerCoefficient ?? KALSHI_TAKER_COEFFICIENT;
  const maker = opts.kalshi?.makerCoefficient ?? KALSHI_MAKER_COEFFICIENT;
  return { taker: (price, qty) => kalshiFee(price, qty, taker), maker: (price, qty) => kalshiFee(price, qty, maker) };
}
