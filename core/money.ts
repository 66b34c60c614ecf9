/**
 * Money and quantities: decimal.js only. Never a JS number on the money path.
 * Rounding happens at venue boundaries, by the venue's tick and size rules.
 */
import { Decimal } from 'decimal.js';

export { Decimal };

Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

/** Anything Prisma or JSON hands us (Prisma.Decimal, string, Decimal) as a decimal.js Decimal. */
export function dec(value: Decimal.Value | { toString(): string }): Decimal {
  return value instanceof Decimal ? value : new Decimal(typeof value === 'object' ? value.toString() : value);
}

/** Like dec() but keeps null/undefined. */
export function decOrNull(value: Decimal.Value | { toString(): string } | null | undefined): Decimal | null {
  return value === null || value === undefined ? null : dec(value);
}

const MONEY_RE = /^\$?\s*(\d+(\.\d+)?|\.\d+)$/;

/**
 * Parses a human- or JSON-typed positive decimal ("12", "12.50", "$12.5", ".5").
 * Returns null for anything else (negative, exponent, NaN, empty, non-string numbers with float noise).
 */
export function parseDecimal(input: unknown): Decimal | null {
  if (typeof input !== 'string') return null;
  const s = input.trim().replace(/,/g, '');
  if (!MONEY_RE.test(s)) return null;
  const d = new Decimal(s.replace('$', '').trim());
  return d.isFinite() ? d : null;
}

export type RoundMode = 'down' | 'up' | 'nearest';

/** Rounds value to a multiple of step (tick size or share step). */
export function roundToStep(value: Decimal, step: Decimal, mode: RoundMode): Decimal {
  const units = value.div(step);
  const rounded =
    mode === 'down' ? units.floor() : mode === 'up' ? units.ceil() : units.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return rounded.mul(step);
}

/** True when value is an exact multiple of step. */
export function isMultipleOf(value: Decimal, step: Decimal): boolean {
  return value.mod(step).isZero();
}

/** Fixed-point text for JSON and chat: trailing zeros trimmed, at most `dp` places. */
export function fmt(value: Decimal | null | undefined, dp = 6): string | null {
  if (value === null || value === undefined) return null;
  return value.toDecimalPlaces(dp, Decimal.ROUND_HALF_UP).toFixed();
}

/** USD for people: "$12.34" (2 dp, half-up). */
export function usd(value: Decimal): string {
  const v = value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return (v.isNegative() ? '-$' : '$') + v.abs().toFixed(2);
}

/** A price in cents for people: 0.4234 → "42.34¢". */
export function cents(price: Decimal): string {
  return price.mul(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed() + '¢';
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.add(v);
  return total;
}

export function minDec(a: Decimal, b: Decimal): Decimal {
  return a.lt(b) ? a : b;
}

export function maxDec(a: Decimal, b: Decimal): Decimal {
  return a.gt(b) ? a : b;
}
