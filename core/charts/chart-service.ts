/** Reads PriceTick history (bucketed in SQL) and positions for the /chart and /pnl pictures. */
import type { Db } from '../db/client.ts';
import type { Venue } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { Decimal, ZERO, dec, sum } from '../money.ts';
import { TradingError, type MarketsApi, type TradingApi } from '../trading/types.ts';
import { yesMid } from '../alerts/price.ts';
import type { ChartsApi, PnlSummary, PriceHistory, PriceSeries } from './types.ts';
import { MAX_CHART_HOURS } from './types.ts';

export interface ChartServiceDeps {
  prisma: Db;
  directory: MarketDirectory;
  markets: MarketsApi;
  trading: TradingApi;
  clock?: () => Date;
}

export class ChartService implements ChartsApi {
  constructor(private readonly deps: ChartServiceDeps) {}

  async priceHistory(args: { marketId: string; hours: number; points?: number }): Promise<PriceHistory> {
    const market = this.deps.directory.get(args.marketId);
    if (!market) throw new TradingError('market_not_found', `No market ${JSON.stringify(args.marketId)}.`);
    const hours = Math.min(Math.max(args.hours, 1), MAX_CHART_HOURS);
    const until = this.deps.clock?.() ?? new Date();
    const since = new Date(until.getTime() - hours * 3600_000);
    const ids = market.listings.map((l) => l.listingId);
    // History shorter than the window: buckets (and the time axis) span what is stored.
    const first = ids.length
      ? (await this.deps.prisma.$queryRaw<{ first: Date | null }[]>`
          SELECT min(at) AS first FROM "PriceTick" WHERE "listingId" = ANY(${ids}) AND at >= ${since} AND at <= ${until}`)[0]?.first ?? null
      : null;
    const from = first && first > since ? first : since;
    const spanSec = Math.max(60, (until.getTime() - from.getTime()) / 1000);
    const bucketSec = Math.max(1, Math.floor(spanSec / Math.max(10, args.points ?? 240)));
    const rows = ids.length
      ? await this.deps.prisma.$queryRaw<{ listingId: string; b: Date; mid: unknown }[]>`
          SELECT "listingId", date_bin(${`${bucketSec} seconds`}::interval, at, ${from}) AS b,
                 avg((COALESCE("yesBid", "yesAsk") + COALESCE("yesAsk", "yesBid")) / 2) AS mid
          FROM "PriceTick"
          WHERE "listingId" = ANY(${ids}) AND at >= ${since} AND at <= ${until} AND ("yesBid" IS NOT NULL OR "yesAsk" IS NOT NULL)
          GROUP BY 1, 2 ORDER BY 1, 2`
      : [];
    const series: PriceSeries[] = market.listings.map((l) => ({
      venue: l.venue,
      listingId: l.listingId,
      points: rows
        .filter((r) => r.listingId === l.listingId && r.mid !== null)
        .map((r) => ({ at: r.b, mid: dec(r.mid as string).toDecimalPlaces(6, Decimal.ROUND_HALF_UP) })),
    }));
    if (series.some((s) => s.points.length > 0)) {
      return { marketId: market.id, title: market.title, slug: market.slug, hours, until, from, series: series.filter((s) => s.points.length > 0), fromQuote: false };
    }
    // No history yet (price sync not running, or a new market): the current quote, one point per venue.
    const summary = await this.deps.markets.resolve(market.id);
    const now: PriceSeries[] = summary.venues.flatMap((v) => {
      const mid = yesMid(v.yesBid, v.yesAsk);
      return mid ? [{ venue: v.venue as Venue, listingId: v.listingId, points: [{ at: until, mid }] }] : [];
    });
    return { marketId: market.id, title: market.title, slug: market.slug, hours, until, series: now, fromQuote: true };
  }

  async pnlSummary(args: { userId: string }): Promise<PnlSummary> {
    const [positions, realizedAll, balance] = await Promise.all([
      this.deps.trading.listPositions({ userId: args.userId }),
      this.deps.prisma.position.aggregate({ where: { userId: args.userId }, _sum: { realizedPnl: true } }),
      this.deps.trading.getBalance({ userId: args.userId }),
    ]);
    const cost = sum(positions.map((p) => p.costBasis));
    const value = sum(positions.map((p) => p.marketValue ?? ZERO));
    const unrealized = sum(positions.map((p) => p.unrealizedPnl ?? ZERO));
    const realized = realizedAll._sum.realizedPnl ? dec(realizedAll._sum.realizedPnl) : ZERO;
    return {
      positions,
      cost,
      value,
      unrealized,
      realized,
      total: unrealized.add(realized),
      cash: balance.total,
      paper: balance.venues.length > 0 && balance.venues.every((v) => v.mode === 'paper'),
    };
  }
}
