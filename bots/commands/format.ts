/** Small text formatters shared by the presenters. Money via usd()/cents(); never JS numbers. */
import { Decimal, cents, usd } from '../../core/money.ts';
import type { OrderView } from '../../core/trading/types.ts';

/** Shares for people: "58.12". */
export function shares(q: Decimal): string {
  return q.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);
}

/** A price or a dash. */
export function priceOrDash(p: Decimal | null | undefined): string {
  return p ? cents(p) : '-';
}

/** "+$1.20" / "-$0.35" / "$0.00". */
export function signedUsd(v: Decimal): string {
  const r = v.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (r.isZero()) return '$0.00';
  return r.isPositive() ? `+${usd(r)}` : usd(r);
}

/** "+4.2%" of `base`, or '' when the base is zero. */
export function pct(v: Decimal, base: Decimal): string {
  if (base.isZero()) return '';
  const p = v.div(base).mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  return `${p.isPositive() && !p.isZero() ? '+' : ''}${p.toFixed(1)}%`;
}

/** The first 8 characters of an id: what /orders shows and /order accepts. */
export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(0, 8);
}

export function upper(side: string): string {
  return side.toUpperCase();
}

/** "buy $25.00 of YES at market" / "buy 10.00 YES @ 42¢" / "sell 5.00 NO at market". */
export function describeOrder(o: Pick<OrderView, 'action' | 'side' | 'type' | 'price' | 'quantity' | 'amount'>): string {
  const size = o.amount && o.type === 'market' ? `${usd(o.amount)} of ${upper(o.side)}` : `${shares(o.quantity)} ${upper(o.side)}`;
  return `${o.action} ${size} ${o.type === 'limit' ? `@ ${cents(o.price)}` : 'at market'}`;
}

/** Trims a title for one-line lists. */
export function clip(s: string, max = 48): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
