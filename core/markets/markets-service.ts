/** MarketsApi: search and resolve markets, with each venue's current YES bid/ask. */
import type { AdapterRegistry } from '../exchanges/types.ts';
import type { MarketSummary, MarketsApi } from '../trading/types.ts';
import type { DirectoryMarket, MarketDirectory } from './directory.ts';

export class MarketsService implements MarketsApi {
  constructor(private readonly deps: { directory: MarketDirectory; adapters: AdapterRegistry }) {}

  async list(args: { query?: string; category?: string; limit?: number }): Promise<MarketSummary[]> {
    const found = this.deps.directory.search(args.query, args.category).slice(0, Math.min(Math.max(args.limit ?? 50, 1), 500));
    return Promise.all(found.map((m) => this.summary(m)));
  }

  async resolve(term: string): Promise<MarketSummary> {
    return this.summary(this.deps.directory.resolve(term));
  }

  private async summary(m: DirectoryMarket): Promise<MarketSummary> {
    const venues = await Promise.all(
      m.listings.map(async (l) => {
        const book = await this.deps.adapters.get(l.venue)?.getOrderBook({ listing: l, outcome: 'yes' }).catch(() => null);
        return {
          venue: l.venue,
          listingId: l.listingId,
          venueMarketId: l.venueMarketId,
          tickSize: l.tickSize,
          minSize: l.minSize,
          yesBid: book?.bids[0]?.price ?? null,
          yesAsk: book?.asks[0]?.price ?? null,
        };
      }),
    );
    return { id: m.id, slug: m.slug, title: m.title, category: m.category, status: m.status, venues };
  }
}
