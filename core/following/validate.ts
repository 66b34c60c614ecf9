/**
 * The rules of a follow's settings, shared by create and update: each returns the clean value or
 * throws TradingError('invalid_input') naming the field and showing the right form.
 */
import { Decimal } from '../money.ts';
import { TradingError } from '../trading/types.ts';

export const WALLET_RE = /^0x[0-9a-fA-F]{40}$/;
export const MAX_MULTIPLIER = new Decimal('999.99');
export const MAX_DELAY_SEC = 3600;
export const MAX_CATEGORIES = 20;

export function bad(message: string, field: string): never {
  throw new TradingError('invalid_input', message, { field });
}

export function walletAddress(v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) bad('targetWalletAddress is required: a Polymarket wallet address like 0x56687bf447db6ffa42ffe2204a05edaa20f55839.', 'targetWalletAddress');
  const s = v.trim();
  if (!WALLET_RE.test(s)) {
    bad(`targetWalletAddress must be 0x followed by 40 hex digits (a Polymarket wallet address); ${JSON.stringify(s.length > 50 ? `${s.slice(0, 47)}...` : s)} is not.`, 'targetWalletAddress');
  }
  return s.toLowerCase();
}

function decimal(v: unknown, field: string, example: string): Decimal {
  if (!(v instanceof Decimal) || !v.isFinite()) bad(`${field} must be a number such as ${example}.`, field);
  return v;
}

/** Decimal(5,2) above 0: "x2", "x0.5". */
export function multiplier(v: unknown): Decimal {
  const d = decimal(v, 'sizeMultiplier', '"1.5"');
  if (d.lte(0)) bad(`sizeMultiplier must be greater than 0; ${d.toFixed()} is not.`, 'sizeMultiplier');
  if (d.gt(MAX_MULTIPLIER)) bad(`sizeMultiplier is at most ${MAX_MULTIPLIER.toFixed()}; ${d.toFixed()} is too large.`, 'sizeMultiplier');
  if (d.decimalPlaces() > 2) bad(`sizeMultiplier has at most 2 decimal places (e.g. 0.25); ${d.toFixed()} has more.`, 'sizeMultiplier');
  return d;
}

/** A positive USD amount (≤ 6 places), or null to clear it. */
export function usdOrNull(v: unknown, field: 'maxTradeSize' | 'dailyStopLoss', example: string): Decimal | null {
  if (v === null) return null;
  const d = decimal(v, field, example);
  if (d.lte(0)) bad(`${field} must be more than $0; ${d.toFixed()} is not (leave it out, or null, for no limit).`, field);
  if (d.decimalPlaces() > 6) bad(`${field} has at most 6 decimal places.`, field);
  if (d.gte('1e12')) bad(`${field} is too large.`, field);
  return d;
}

export function delaySec(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_DELAY_SEC) {
    bad(`executionDelaySec must be a whole number of seconds from 0 to ${MAX_DELAY_SEC}; ${JSON.stringify(v)} is not.`, 'executionDelaySec');
  }
  return v;
}

/** Lower-cased, de-duplicated, each one of `known` (the catalog's categories). */
export function categoryList(v: unknown, known: readonly string[]): string[] {
  if (!Array.isArray(v)) bad('categories must be a list of market categories, e.g. ["politics", "crypto"] (empty = all).', 'categories');
  if (v.length > MAX_CATEGORIES) bad(`categories has at most ${MAX_CATEGORIES} entries.`, 'categories');
  const out: string[] = [];
  for (const c of v) {
    if (typeof c !== 'string' || !c.trim()) bad('categories must be a list of category names (strings).', 'categories');
    const name = c.trim().toLowerCase();
    if (!known.includes(name)) {
      bad(`${JSON.stringify(c)} is not a market category; known ones: ${known.join(', ') || 'none yet'}.`, 'categories');
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function strategyOf(kind: 'counter' | 'copy', v: unknown): string {
  if (kind === 'counter') {
    if (v === undefined || v === 'inverse') return 'inverse';
    bad(`strategy must be "inverse" (take the opposite side; the only counter-trade strategy); ${JSON.stringify(v)} is not. To trade the same side, use a copy-trade.`, 'strategy');
  }
  if (v === undefined || v === 'copy') return 'copy';
  bad(`A copy-trade takes the target's side; strategy must be left out (or "copy"), not ${JSON.stringify(v)}. To take the opposite side, use a counter-trade.`, 'strategy');
}
