/** /chart and /pnl pictures: valid PNGs of the right size, text that reads right, no host fonts. */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { CHART_HEIGHT, CHART_WIDTH, priceChartSvg } from '../../core/charts/price-chart.ts';
import { PNL_MAX_ROWS, PNL_WIDTH, pnlCardHeight, pnlCardSvg } from '../../core/charts/pnl-card.ts';
import { pngSize, renderPnlCard, renderPriceChart, svgToPng } from '../../core/charts/render.ts';
import type { PnlSummary, PriceHistory } from '../../core/charts/types.ts';
import type { PositionView } from '../../core/trading/types.ts';
import { describeHistory, describePnl } from '../../bots/commands/charts.ts';

const d = (s: string | number) => new Decimal(s);
const until = new Date('2026-11-29T14:00:00Z');

function history(over: Partial<PriceHistory> = {}): PriceHistory {
  const pts = (start: number, step: number) => Array.from({ length: 48 }, (_, i) => ({ at: new Date(until.getTime() - (48 - i) * 30 * 60_000), mid: d((start + i * step).toFixed(4)) }));
  return {
    marketId: 'fed-cut',
    title: 'Will the Fed cut <rates> & "more"?',
    slug: 'fed-cut',
    hours: 24,
    until,
    series: [
      { venue: 'polymarket', listingId: 'fed-cut:polymarket', points: pts(0.4, 0.002) },
      { venue: 'kalshi', listingId: 'fed-cut:kalshi', points: pts(0.41, 0.002) },
    ],
    fromQuote: false,
    ...over,
  };
}

function position(title: string, q: string, avg: string, now: string): PositionView {
  const quantity = d(q);
  const cost = quantity.mul(avg);
  const value = quantity.mul(now);
  return {
    id: title,
    marketId: 'm',
    marketTitle: title,
    listingId: 'l',
    exchange: 'polymarket',
    side: 'yes',
    quantity,
    avgPrice: d(avg),
    costBasis: cost,
    currentPrice: d(now),
    marketValue: value,
    unrealizedPnl: value.sub(cost),
    realizedPnl: d(0),
    takeProfitPrice: null,
    stopLossPrice: null,
  };
}

function summary(positions: PositionView[]): PnlSummary {
  const unrealized = positions.reduce((s, p) => s.add(p.unrealizedPnl!), d(0));
  return { positions, cost: d('10'), value: d('12'), unrealized, realized: d('-1.25'), total: unrealized.add('-1.25'), cash: d('990'), paper: true };
}

/** Decodes an 8-bit RGB(A) PNG (filters 0-4) once; returns a pixel reader: enough to see that something was drawn. */
function decode(png: Buffer): (x: number, y: number) => [number, number, number, number] {
  const { width, height } = pngSize(png)!;
  let off = 8;
  const idat: Buffer[] = [];
  let colorType = 6;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    if (type === 'IHDR') colorType = png[off + 8 + 9]!;
    if (type === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const v = raw[row * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? out[row * stride + i - bpp]! : 0;
      const b = row > 0 ? out[(row - 1) * stride + i]! : 0;
      const c = row > 0 && i >= bpp ? out[(row - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      out[row * stride + i] = (v + [0, a, b, (a + b) >> 1, pr][filter]!) & 0xff;
    }
  }
  return (x, y) => {
    const at = y * stride + x * bpp;
    return [out[at]!, out[at + 1]!, out[at + 2]!, bpp === 4 ? out[at + 3]! : 255];
  };
}

describe('the price chart', () => {
  it('is a valid PNG of 800×450 with the line drawn', () => {
    const png = renderPriceChart(history());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(500_000);
    // The background is the dark theme; the title's glyphs are light (the bundled font rendered text).
    const pixel = decode(png);
    expect(pixel(5, 5).slice(0, 3)).toEqual([0x0e, 0x14, 0x1b]);
    let light = 0;
    for (let x = 32; x < 400; x++) for (let y = 26; y < 48; y++) if (pixel(x, y)[0] > 180) light++;
    expect(light).toBeGreaterThan(200);
  });

  it('says the price, the change, the venues and the window; escapes the title', () => {
    const svg = priceChartSvg(history());
    expect(svg).toContain('Will the Fed cut &lt;rates&gt; &amp; &quot;more&quot;?');
    expect(svg).toContain('fed-cut · YES price · last 24 h · times in UTC');
    expect(svg).toContain('50¢'); // now: mean of 49.4¢ and 50.4¢ → 49.9¢, grid labels around it
    expect(svg).toMatch(/>\+9\.4 pts in 24 h</);
    expect(svg).toContain('polymarket 49.4¢');
    expect(svg).toContain('kalshi 50.4¢');
    expect(describeHistory(history())).toBe('Will the Fed cut <rates> & "more"? (fed-cut), YES over 24 h: +9.4 pts; now 49.9¢ · polymarket 49.4¢ · kalshi 50.4¢');
  });

  it('without history shows the current quote as a level; without prices says so', () => {
    const quote = history({ fromQuote: true, series: [{ venue: 'kalshi', listingId: 'k', points: [{ at: until, mid: d('0.615') }] }] });
    const svg = priceChartSvg(quote);
    expect(svg).toContain('no price history stored yet');
    expect(svg).toContain('stroke-dasharray');
    expect(pngSize(renderPriceChart(quote))).toEqual({ width: 800, height: 450 });
    expect(describeHistory(quote)).toMatch(/YES now \(no price history stored yet\); now 61\.5¢/);
    const empty = history({ series: [] });
    expect(priceChartSvg(empty)).toContain('No prices for this market right now.');
    expect(pngSize(renderPriceChart(empty))).toEqual({ width: 800, height: 450 });
  });
});

describe('the PnL card', () => {
  it('is a valid PNG whose height follows the rows', () => {
    const one = renderPnlCard(summary([position('Fed cut', '10', '0.40', '0.45')]), { name: 'ann', at: until });
    expect(pngSize(one)).toEqual({ width: PNL_WIDTH, height: pnlCardHeight(1) });
    const many = Array.from({ length: 12 }, (_, i) => position(`Market ${i}`, '5', '0.30', '0.25'));
    const big = renderPnlCard(summary(many), { name: 'ann', at: until });
    expect(pngSize(big)).toEqual({ width: PNL_WIDTH, height: pnlCardHeight(12) });
    expect(pnlCardHeight(12)).toBe(pnlCardHeight(PNL_MAX_ROWS) + 24);
    expect(pnlCardSvg(summary(many), { name: 'ann', at: until })).toContain('and 4 more (see /positions)');
  });

  it('shows totals, colors and positions', () => {
    const s = summary([position('Will the Fed cut rates at the December meeting of 2026?', '10', '0.40', '0.45')]);
    const svg = pnlCardSvg(s, { name: 'ann', at: until });
    expect(svg).toContain('PnL · ann');
    expect(svg).toContain('+$0.50'); // unrealized
    expect(svg).toContain('-$1.25'); // realized
    expect(svg).toContain('-$0.75'); // total
    expect(svg).toContain('$990.00');
    expect(svg).toContain('Will the Fed cut rates at the Dec…');
    expect(svg).toContain('40¢ → 45¢');
    expect(svg).toContain('+$0.50 (+12.5%)');
    expect(pnlCardSvg(summary([]), { name: 'ann', at: until })).toContain('No open positions.');
    expect(describePnl(s)).toBe('PnL (paper money): total -$0.75 · unrealized +$0.50 · realized -$1.25\n1 open position worth $12.00 (cost $10.00) · cash $990.00. Details: /positions');
  });
});

describe('rendering', () => {
  it('uses the bundled font, not the host: text renders the same glyphs every time', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#000"/><text x="4" y="28" font-family="no-such-font" font-size="24" fill="#fff">42¢ +$1</text></svg>';
    const a = svgToPng(svg);
    expect(pngSize(a)).toEqual({ width: 200, height: 40 });
    expect(svgToPng(svg).equals(a)).toBe(true);
    const pixel = decode(a);
    let lit = 0;
    for (let x = 0; x < 200; x++) for (let y = 0; y < 40; y++) if (pixel(x, y)[0] > 128) lit++;
    expect(lit).toBeGreaterThan(100); // an unknown family falls back to the bundled DejaVu Sans
  });

  it('renders at a scale', () => {
    expect(pngSize(svgToPng(priceChartSvg(history()), { scale: 2 }))).toEqual({ width: 1600, height: 900 });
  });

  it('pngSize rejects what is not a PNG', () => {
    expect(pngSize(Buffer.from('not a png at all, really not'))).toBeNull();
  });
});
