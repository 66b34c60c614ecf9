/**
 * The /pnl picture as SVG: total PnL, unrealized / realized / value / cash, and the open positions
 * (side, shares, average → current price, PnL). Pure: data in, SVG out.
 */
import { Decimal, usd } from '../money.ts';
import { COLORS, centsShort, clipText, pnlColor, signedUsd, stamp, svgDoc, text } from './svg.ts';
import type { PnlSummary } from './types.ts';

export const PNL_WIDTH = 800;
/** Positions drawn; the rest are counted. */
export const PNL_MAX_ROWS = 8;
const ROW = 40;

export function pnlCardHeight(rows: number): number {
  return 250 + Math.max(1, Math.min(rows, PNL_MAX_ROWS)) * ROW + (rows > PNL_MAX_ROWS ? 24 : 0) + 36;
}

export function pnlCardSvg(p: PnlSummary, opts: { name: string; at: Date }): string {
  const W = PNL_WIDTH;
  const H = pnlCardHeight(p.positions.length);
  const body: string[] = [];

  body.push(text(32, 44, clipText(`PnL · ${opts.name}`, 40), { size: 22, weight: 'bold' }));
  body.push(text(32, 70, `${p.paper ? 'paper money · ' : ''}positions valued at the best bid`, { size: 14, fill: COLORS.muted }));
  body.push(text(W - 32, 48, signedUsd(p.total), { size: 32, weight: 'bold', fill: pnlColor(p.total), anchor: 'end' }));
  body.push(text(W - 32, 72, `total PnL${pctOf(p.total, p.cost)}`, { size: 14, fill: COLORS.muted, anchor: 'end' }));

  const stats: [string, string, string][] = [
    ['Unrealized', signedUsd(p.unrealized), pnlColor(p.unrealized)],
    ['Realized', signedUsd(p.realized), pnlColor(p.realized)],
    ['Value', usd(p.value), COLORS.text],
    ['Cash', usd(p.cash), COLORS.text],
  ];
  const boxW = (W - 64 - 3 * 12) / 4;
  stats.forEach(([label, value, color], i) => {
    const x = 32 + i * (boxW + 12);
    body.push(`<rect x="${x}" y="96" width="${boxW}" height="72" rx="8" fill="${COLORS.panel}"/>`);
    body.push(text(x + 16, 122, label, { size: 13, fill: COLORS.muted }));
    body.push(text(x + 16, 152, value, { size: 22, weight: 'bold', fill: color }));
  });

  const cols = { market: 32, side: 356, shares: 470, price: 590, pnl: W - 32 };
  const head = 204;
  body.push(text(cols.market, head, 'Market', { size: 13, fill: COLORS.muted }));
  body.push(text(cols.side, head, 'Side', { size: 13, fill: COLORS.muted }));
  body.push(text(cols.shares, head, 'Shares', { size: 13, fill: COLORS.muted, anchor: 'end' }));
  body.push(text(cols.price, head, 'Avg → now', { size: 13, fill: COLORS.muted, anchor: 'end' }));
  body.push(text(cols.pnl, head, 'PnL', { size: 13, fill: COLORS.muted, anchor: 'end' }));
  body.push(`<line x1="32" y1="${head + 10}" x2="${W - 32}" y2="${head + 10}" stroke="${COLORS.grid}" stroke-width="1"/>`);

  if (p.positions.length === 0) {
    body.push(text(32, head + 44, 'No open positions. Find a market with /markets and /buy it.', { size: 16, fill: COLORS.muted }));
  }
  p.positions.slice(0, PNL_MAX_ROWS).forEach((pos, i) => {
    const y = head + 38 + i * ROW;
    if (i % 2 === 1) body.push(`<rect x="24" y="${y - 26}" width="${W - 48}" height="${ROW}" rx="6" fill="${COLORS.panel}"/>`);
    body.push(text(cols.market, y, clipText(pos.marketTitle, 34), { size: 15 }));
    body.push(text(cols.market, y + 13, pos.exchange, { size: 10, fill: COLORS.muted }));
    const sideColor = pos.side === 'yes' ? COLORS.up : COLORS.down;
    body.push(`<rect x="${cols.side}" y="${y - 17}" width="46" height="22" rx="11" fill="${sideColor}" fill-opacity="0.18"/>`);
    body.push(text(cols.side + 23, y - 1, pos.side.toUpperCase(), { size: 12, weight: 'bold', fill: sideColor, anchor: 'middle' }));
    body.push(text(cols.shares, y, pos.quantity.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2), { size: 15, anchor: 'end' }));
    body.push(text(cols.price, y, `${centsShort(pos.avgPrice)} → ${pos.currentPrice ? centsShort(pos.currentPrice) : '-'}`, { size: 15, anchor: 'end' }));
    const pnl = pos.unrealizedPnl;
    body.push(text(cols.pnl, y, pnl ? `${signedUsd(pnl)}${pctOf(pnl, pos.costBasis)}` : 'no bid', { size: 15, weight: 'bold', fill: pnl ? pnlColor(pnl) : COLORS.muted, anchor: 'end' }));
  });
  if (p.positions.length > PNL_MAX_ROWS) {
    const y = head + 38 + PNL_MAX_ROWS * ROW;
    body.push(text(32, y, `and ${p.positions.length - PNL_MAX_ROWS} more (see /positions)`, { size: 14, fill: COLORS.muted }));
  }
  body.push(text(W - 32, H - 18, `yesno · ${stamp(opts.at)}`, { size: 12, fill: COLORS.muted, anchor: 'end' }));
  return svgDoc(W, H, body);
}

/** " (+4.2%)" of `base`, or '' when the base is zero. */
function pctOf(v: Decimal, base: Decimal): string {
  if (base.isZero()) return '';
  const x = v.div(base).mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  return ` (${x.isPositive() && !x.isZero() ? '+' : ''}${x.toFixed(1)}%)`;
}
