/** Small SVG helpers shared by the chart and the PnL card: text, escaping, colours, scales. */
import { Decimal, usd } from '../money.ts';

export const FONT = 'DejaVu Sans';

export const COLORS = {
  bg: '#0e141b',
  panel: '#151d27',
  grid: '#243040',
  axis: '#8b98a5',
  text: '#e6edf3',
  muted: '#8b98a5',
  up: '#2fbf71',
  down: '#f0524f',
  venues: { polymarket: '#4c8dff', kalshi: '#19c3a6' } as Record<string, string>,
  fallback: ['#f5a524', '#c678dd', '#e5c07b'],
} as const;

/** XML-escapes text for an SVG text node or attribute. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Trims text to `max` characters with an ellipsis. */
export function clipText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export interface TextOpts {
  size?: number;
  weight?: 'normal' | 'bold';
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
}

export function text(x: number, y: number, content: string, o: TextOpts = {}): string {
  return `<text x="${r(x)}" y="${r(y)}" font-family="${FONT}" font-size="${o.size ?? 14}" font-weight="${o.weight ?? 'normal'}" fill="${o.fill ?? COLORS.text}" text-anchor="${o.anchor ?? 'start'}">${esc(content)}</text>`;
}

/** Rounds a coordinate to 0.1 px (short, stable SVG). */
export function r(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

export function svgDoc(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${COLORS.bg}"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** "+$1.20" / "-$0.35" / "$0.00". */
export function signedUsd(v: Decimal): string {
  const x = v.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (x.isZero()) return '$0.00';
  return x.isPositive() ? `+${usd(x)}` : usd(x);
}

/** Green for gains, red for losses, grey for zero. */
export function pnlColor(v: Decimal): string {
  const x = v.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return x.isZero() ? COLORS.muted : x.isPositive() ? COLORS.up : COLORS.down;
}

/** A price in cents with at most one decimal: 0.615 → "61.5¢". */
export function centsShort(p: Decimal): string {
  return `${p.mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed()}¢`;
}

/** A "nice" grid step (in cents) that gives 3-7 lines over `rangeCents`. */
export function niceStep(rangeCents: number): number {
  for (const step of [0.5, 1, 2, 5, 10, 20, 25]) if (rangeCents / step <= 7) return step;
  return 25;
}

/** "14:05" (UTC) for windows up to two days, "14:05:30" under ten minutes, "Nov 28" for longer ones. */
export function timeLabel(d: Date, hours: number): string {
  if (hours > 48) return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  // Under ten minutes the ticks are seconds apart.
  return d.toISOString().slice(11, hours < 1 / 6 ? 19 : 16);
}

/** "2026-11-29 14:05 UTC". */
export function stamp(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
