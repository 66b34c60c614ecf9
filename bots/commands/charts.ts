/**
 * /chart <market> [<hours>h] and /pnl: pictures (PNG) with a text fallback. The reply's `photo`
 * carries the PNG and its caption; `text` says the same in words for front ends without pictures.
 */
import { Decimal, usd } from '../../core/money.ts';
import { renderPnlCard, renderPriceChart } from '../../core/charts/render.ts';
import type { PnlSummary, PriceHistory } from '../../core/charts/types.ts';
import type { Caller, HandlerEnv } from './env.ts';
import type { FeatureCommand } from './feature-specs.ts';
import { signedUsd } from './format.ts';
import { resolveMarket } from './lookup.ts';
import { errorReply, type Reply } from './replies.ts';

type ChartCommand = Extract<FeatureCommand, { name: 'chart' }>;

const c1 = (p: Decimal) => `${p.mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed()}¢`;

/** The chart in words: "Fed cut (fed-cut), YES over 24 h: 55.4¢ (+12.8 pts) · polymarket 53.5¢ · kalshi 57.4¢". */
export function describeHistory(h: PriceHistory): string {
  const venues = h.series.filter((s) => s.points.length > 0);
  if (venues.length === 0) return `${h.title} (${h.slug}): no prices right now.`;
  const last = venues.map((s) => s.points.at(-1)!.mid);
  const first = venues.map((s) => s.points[0]!.mid);
  const avg = (xs: Decimal[]) => xs.reduce((a, b) => a.add(b)).div(xs.length);
  const now = avg(last);
  const move = now.sub(avg(first)).mul(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  const per = venues.map((s) => `${s.venue} ${c1(s.points.at(-1)!.mid)}`).join(' · ');
  const windowStart = h.until.getTime() - h.hours * 3600_000;
  const short = h.from && h.from.getTime() > windowStart + h.hours * 3600_000 * 0.02;
  const span = short ? `since ${h.from!.toISOString().slice(11, 16)} UTC` : `over ${h.hours} h`;
  const window = h.fromQuote ? 'YES now (no price history stored yet)' : `YES ${span}: ${move.isPositive() && !move.isZero() ? '+' : ''}${move.toFixed(1)} pts`;
  return `${h.title} (${h.slug}), ${window}; now ${c1(now)} · ${per}`;
}

export async function runChart(env: HandlerEnv, caller: Caller, cmd: ChartCommand): Promise<Reply[]> {
  const charts = env.services.charts;
  if (!charts) return [errorReply('Charts are not available on this yesno server.')];
  const market = await resolveMarket(env.services.markets, cmd.market);
  const history = await charts.priceHistory({ marketId: market.id, hours: cmd.hours });
  const caption = describeHistory(history);
  return [{ kind: 'text', text: caption, photo: { png: renderPriceChart(history), caption } }];
}

/** The PnL card in words. */
export function describePnl(p: PnlSummary): string {
  const n = p.positions.length;
  return [
    `PnL${p.paper ? ' (paper money)' : ''}: total ${signedUsd(p.total)} · unrealized ${signedUsd(p.unrealized)} · realized ${signedUsd(p.realized)}`,
    `${n === 0 ? 'No open positions' : `${n} open position${n === 1 ? '' : 's'} worth ${usd(p.value)} (cost ${usd(p.cost)})`} · cash ${usd(p.cash)}. Details: /positions`,
  ].join('\n');
}

export async function runPnl(env: HandlerEnv, caller: Caller): Promise<Reply[]> {
  const charts = env.services.charts;
  if (!charts) return [errorReply('PnL cards are not available on this yesno server.')];
  const summary = await charts.pnlSummary({ userId: caller.user.id });
  const caption = describePnl(summary);
  return [{ kind: 'text', text: caption, ephemeral: true, photo: { png: renderPnlCard(summary, { name: caller.user.name }), caption } }];
}
