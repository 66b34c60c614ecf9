/**
 * SVG → PNG with resvg (Rust, shipped as a native binary inside its npm package: no network, no
 * browser). Text uses the DejaVu Sans files shipped in ./fonts, never the host's fonts, so a
 * picture looks the same on every machine.
 */
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { FONT } from './svg.ts';
import { priceChartSvg } from './price-chart.ts';
import { pnlCardSvg } from './pnl-card.ts';
import type { PnlSummary, PriceHistory } from './types.ts';

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => fileURLToPath(new URL(`./fonts/${f}`, import.meta.url)));

/** Renders an SVG document to PNG bytes (at its own size, or `scale` times it). */
export function svgToPng(svg: string, opts: { scale?: number } = {}): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT, sansSerifFamily: FONT },
    fitTo: opts.scale && opts.scale !== 1 ? { mode: 'zoom', value: opts.scale } : { mode: 'original' },
    shapeRendering: 2,
    textRendering: 1,
  });
  return resvg.render().asPng();
}

/** /chart: the market's YES price over the window. */
export function renderPriceChart(history: PriceHistory): Buffer {
  return svgToPng(priceChartSvg(history));
}

/** /pnl: the trader's PnL card. */
export function renderPnlCard(summary: PnlSummary, opts: { name: string; at?: Date }): Buffer {
  return svgToPng(pnlCardSvg(summary, { name: opts.name, at: opts.at ?? new Date() }));
}

/** Width and height of a PNG from its IHDR chunk, or null when `png` is not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | null {
  const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 24 || !png.subarray(0, 8).equals(SIGNATURE) || png.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
