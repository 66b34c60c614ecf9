/**
 * Kalshi's per-market price grid. A market carries `price_level_structure` (linear_cent, deci_cent,
 * tapered_deci_cent, …) and, newer, `price_ranges` [{ start, end, step }] giving the exact intervals.
 * The ranges win when present; otherwise the structure name maps through a closed table; an unknown
 * name falls back to whole cents (the coarsest grid, which is valid on every structure).
 */
import { Decimal, ONE, ZERO } from '../../money.ts';

/** One price interval and its tick: prices p with start ≤ p ≤ end on multiples of step. */
export interface PriceRange {
  start: Decimal;
  end: Decimal;
  step: Decimal;
}

const d = (v: string) => new Decimal(v);
const CENT = d('0.01');
const DECI_CENT = d('0.001');

export type KnownPriceLevelStructure = 'linear_cent' | 'deci_cent' | 'tapered_deci_cent';

/** The documented structures (docs.kalshi.com, fixed-point migration). */
export const PRICE_LEVEL_STRUCTURES = {
  linear_cent: [{ start: ZERO, end: ONE, step: CENT }],
  deci_cent: [{ start: ZERO, end: ONE, step: DECI_CENT }],
  tapered_deci_cent: [
    { start: ZERO, end: d('0.10'), step: DECI_CENT },
    { start: d('0.10'), end: d('0.90'), step: CENT },
    { start: d('0.90'), end: ONE, step: DECI_CENT },
  ],
} as const satisfies Record<KnownPriceLevelStructure, readonly PriceRange[]>;

/** The grid of a market: its explicit ranges, else its structure's, else whole cents. */
export function priceRangesFor(args: { structure?: string | null; ranges?: PriceRange[] | null }): PriceRange[] {
  if (args.ranges && args.ranges.length > 0) return [...args.ranges].sort((a, b) => a.start.cmp(b.start));
  const known = args.structure && Object.hasOwn(PRICE_LEVEL_STRUCTURES, args.structure)
    ? PRICE_LEVEL_STRUCTURES[args.structure as KnownPriceLevelStructure]
    : PRICE_LEVEL_STRUCTURES.linear_cent;
  return [...known];
}

/** The tick that applies at `price` (on a boundary, the finer of the two neighbours). */
export function tickAt(price: Decimal, ranges: PriceRange[]): Decimal {
  let best: Decimal | null = null;
  for (const r of ranges) if (price.gte(r.start) && price.lte(r.end)) best = best === null || r.step.lt(best) ? r.step : best;
  return best ?? ranges.reduce((m, r) => (r.step.lt(m) ? r.step : m), ranges[0]?.step ?? CENT);
}

/** The finest tick anywhere on the grid (what a single "tick size" column can hold). */
export function finestTick(ranges: PriceRange[]): Decimal {
  return ranges.reduce((m, r) => (r.step.lt(m) ? r.step : m), ranges[0]?.step ?? CENT);
}

/** True when price is strictly inside (0, 1) and on the grid of the range it falls in. */
export function isOnGrid(price: Decimal, ranges: PriceRange[]): boolean {
  if (price.lte(0) || price.gte(1)) return false;
  return ranges.some((r) => price.gte(r.start) && price.lte(r.end) && price.sub(r.start).mod(r.step).isZero());
}

/** Rounds price onto the grid ('down' for a buy's ceiling stays ≤ the input, 'up' the other way). */
export function roundToGrid(price: Decimal, ranges: PriceRange[], mode: 'down' | 'up'): Decimal {
  const step = tickAt(price, ranges);
  const range = ranges.find((r) => price.gte(r.start) && price.lte(r.end) && r.step.eq(step));
  const start = range?.start ?? ZERO;
  const units = price.sub(start).div(step);
  return start.add((mode === 'down' ? units.floor() : units.ceil()).mul(step));
}
