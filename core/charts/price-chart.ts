/**
 * The /chart picture as SVG: a market's YES price per venue over the window, with the price now,
 * the change over the window, a cent grid, UTC time labels and a legend. Pure: data in, SVG out.
 * Coordinates are JS numbers (pixels); every printed price comes from the Decimal values.
 */
import { Decimal } from '../money.ts';
import { COLORS, centsShort, clipText, niceStep, pnlColor, r, stamp, svgDoc, text, timeLabel } from './svg.ts';
import type { PriceHistory } from './types.ts';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 450;

export function priceChartSvg(h: PriceHistory): string {
  const W = CHART_WIDTH;
  const H = CHART_HEIGHT;
  const x0 = 72;
  const x1 = W - 32;
  const y0 = 104;
  const y1 = H - 78;
  const body: string[] = [];

  body.push(text(32, 44, clipText(h.title, 42), { size: 22, weight: 'bold' }));
  const t1 = h.until.getTime();
  const windowStart = t1 - h.hours * 3600_000;
  // A history shorter than the window is drawn across the whole width, from its first price.
  const t0 = h.from && h.from.getTime() > windowStart + (t1 - windowStart) * 0.02 && t1 - h.from.getTime() >= 60_000 ? h.from.getTime() : windowStart;
  const span = t0 === windowStart ? `last ${h.hours} h` : `since ${timeLabel(new Date(t0), 1)} (history so far)`;
  const sub = h.fromQuote ? 'YES price now · no price history stored yet' : `YES price · ${span} · times in UTC`;
  body.push(text(32, 70, `${h.slug} · ${sub}`, { size: 14, fill: COLORS.muted }));

  const all = h.series.flatMap((s) => s.points);
  if (all.length === 0) {
    body.push(text(W / 2, H / 2, 'No prices for this market right now.', { size: 18, fill: COLORS.muted, anchor: 'middle' }));
    body.push(text(W - 32, H - 20, `yesno · ${stamp(h.until)}`, { size: 12, fill: COLORS.muted, anchor: 'end' }));
    return svgDoc(W, H, body);
  }

  // The headline: the latest price (mean of the venues' last points) and its change over the window.
  const lastOf = h.series.map((s) => s.points.at(-1)!.mid);
  const firstOf = h.series.map((s) => s.points[0]!.mid);
  const now = mean(lastOf);
  const change = now.sub(mean(firstOf));
  body.push(text(W - 32, 46, centsShort(now), { size: 30, weight: 'bold', anchor: 'end' }));
  if (!h.fromQuote) {
    const pts = change.mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
    const label = `${pts.isPositive() && !pts.isZero() ? '+' : ''}${pts.toFixed(1)} pts ${t0 === windowStart ? `in ${h.hours} h` : 'so far'}`;
    body.push(text(W - 32, 72, label, { size: 14, fill: pnlColor(change), anchor: 'end' }));
  }

  // Scales: time across; price (cents) up, padded and at least 10 cents tall, within 0..100.
  const cents = all.map((p) => p.mid.toNumber() * 100);
  let lo = Math.min(...cents);
  let hi = Math.max(...cents);
  const pad = Math.max(2, (hi - lo) * 0.15);
  lo = Math.max(0, lo - pad);
  hi = Math.min(100, hi + pad);
  if (hi - lo < 10) {
    const mid = (hi + lo) / 2;
    lo = Math.max(0, mid - 5);
    hi = Math.min(100, lo + 10);
    lo = Math.max(0, hi - 10);
  }
  const step = niceStep(hi - lo);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const X = (t: number) => x0 + ((t - t0) / (t1 - t0)) * (x1 - x0);
  const Y = (c: number) => y1 - ((c - lo) / (hi - lo)) * (y1 - y0);

  body.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="${COLORS.panel}" rx="6"/>`);
  for (let c = lo; c <= hi + 1e-9; c += step) {
    const y = Y(c);
    body.push(`<line x1="${x0}" y1="${r(y)}" x2="${x1}" y2="${r(y)}" stroke="${COLORS.grid}" stroke-width="1"/>`);
    body.push(text(x0 - 10, y + 5, `${Number.isInteger(c) ? c : c.toFixed(1)}¢`, { size: 13, fill: COLORS.axis, anchor: 'end' }));
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    const x = X(t);
    body.push(`<line x1="${r(x)}" y1="${y1}" x2="${r(x)}" y2="${y1 + 5}" stroke="${COLORS.axis}" stroke-width="1"/>`);
    body.push(text(x, y1 + 22, timeLabel(new Date(t), (t1 - t0) / 3600_000), { size: 13, fill: COLORS.axis, anchor: i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }));
  }

  h.series.forEach((s, i) => {
    const color = COLORS.venues[s.venue] ?? COLORS.fallback[i % COLORS.fallback.length]!;
    const pts = s.points.map((p) => [X(Math.max(t0, p.at.getTime())), Y(p.mid.toNumber() * 100)] as const);
    if (pts.length === 1 || h.fromQuote) {
      // One point: a dashed level across the window and a dot at its time.
      const [px, py] = pts.at(-1)!;
      body.push(`<line x1="${x0}" y1="${r(py)}" x2="${x1}" y2="${r(py)}" stroke="${color}" stroke-width="2" stroke-dasharray="6 6"/>`);
      body.push(`<circle cx="${r(Math.min(px, x1))}" cy="${r(py)}" r="5" fill="${color}"/>`);
      return;
    }
    // A gap in the data (the feed or the process was down) breaks the line instead of bridging it.
    const segments = splitAtGaps(s.points.map((p) => p.at.getTime())).map(([a, b]) => pts.slice(a, b));
    const path = (seg: (readonly [number, number])[]) => seg.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${r(x)},${r(y)}`).join(' ');
    if (i === 0) {
      body.push(`<defs><linearGradient id="fill0" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${color}" stop-opacity="0.28"/><stop offset="1" stop-color="${color}" stop-opacity="0"/></linearGradient></defs>`);
      for (const seg of segments) if (seg.length > 1) body.push(`<path d="${path(seg)} L${r(seg.at(-1)![0])},${y1} L${r(seg[0]![0])},${y1} Z" fill="url(#fill0)"/>`);
    }
    body.push(`<path d="${segments.map(path).join(' ')}" fill="none" stroke="${color}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>`);
    const [lx, ly] = pts.at(-1)!;
    body.push(`<circle cx="${r(lx)}" cy="${r(ly)}" r="4" fill="${color}"/>`);
  });

  // Legend: each venue with its latest price.
  let lx = x0;
  h.series.forEach((s, i) => {
    const color = COLORS.venues[s.venue] ?? COLORS.fallback[i % COLORS.fallback.length]!;
    const label = `${s.venue} ${centsShort(s.points.at(-1)!.mid)}`;
    body.push(`<rect x="${lx}" y="${H - 36}" width="14" height="14" rx="3" fill="${color}"/>`);
    body.push(text(lx + 22, H - 24, label, { size: 14 }));
    lx += 44 + label.length * 8.5;
  });
  body.push(text(W - 32, H - 24, `yesno · ${stamp(h.until)}`, { size: 12, fill: COLORS.muted, anchor: 'end' }));
  return svgDoc(W, H, body);
}

/** [start, end) index ranges of runs without a gap: a step over 5× the median step (and 2 minutes) is a gap. */
export function splitAtGaps(times: number[]): [number, number][] {
  if (times.length < 3) return [[0, times.length]];
  const steps = times.slice(1).map((t, k) => t - times[k]!).sort((a, b) => a - b);
  const limit = Math.max(5 * steps[Math.floor(steps.length / 2)]!, 120_000);
  const out: [number, number][] = [];
  let start = 0;
  for (let k = 1; k < times.length; k++) {
    if (times[k]! - times[k - 1]! > limit) {
      out.push([start, k]);
      start = k;
    }
  }
  out.push([start, times.length]);
  return out;
}

function mean(xs: Decimal[]): Decimal {
  return xs.reduce((a, b) => a.add(b), new Decimal(0)).div(xs.length);
}
