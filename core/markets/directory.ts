/**
 * The market directory: markets and their per-venue listings, loaded from Postgres and kept in
 * memory (a few thousand rows at most), with search and unambiguous-term resolution.
 */
import type { Db } from '../db/client.ts';
import { dec } from '../money.ts';
import type { ListingRef, Venue } from '../exchanges/types.ts';
import { TradingError } from '../trading/types.ts';

export interface DirectoryMarket {
  id: string;
  slug: string;
  title: string;
  category: string;
  status: string;
  closesAt: Date | null;
  listings: ListingRef[];
}

export class MarketDirectory {
  private markets: DirectoryMarket[] = [];
  private byId = new Map<string, DirectoryMarket>();
  private byListing = new Map<string, { market: DirectoryMarket; listing: ListingRef }>();
  private byVenueMarket = new Map<string, { market: DirectoryMarket; listing: ListingRef }>();

  constructor(private readonly prisma: Db) {}

  /** (Re)loads every market and active listing. */
  async load(): Promise<void> {
    const rows = await this.prisma.market.findMany({
      include: { listings: { where: { active: true }, orderBy: { venue: 'asc' } } },
      orderBy: { id: 'asc' },
    });
    const markets: DirectoryMarket[] = rows.map((m) => ({
      id: m.id,
      slug: m.slug,
      title: m.title,
      category: m.category,
      status: m.status,
      closesAt: m.closesAt,
      listings: m.listings.map((l) => ({
        listingId: l.id,
        marketId: m.id,
        venue: l.venue as Venue,
        venueMarketId: l.venueMarketId,
        yesTokenId: l.yesTokenId,
        noTokenId: l.noTokenId,
        tickSize: dec(l.tickSize),
        minSize: dec(l.minSize),
        negRisk: l.negRisk,
      })),
    }));
    this.markets = markets;
    this.byId = new Map();
    this.byListing = new Map();
    this.byVenueMarket = new Map();
    for (const m of markets) {
      this.byId.set(m.id, m);
      this.byId.set(m.slug, m);
      for (const l of m.listings) {
        this.byListing.set(l.listingId, { market: m, listing: l });
        this.byVenueMarket.set(`${l.venue}|${l.venueMarketId}`, { market: m, listing: l });
      }
    }
  }

  all(): readonly DirectoryMarket[] {
    return this.markets;
  }

  get(idOrSlug: string): DirectoryMarket | undefined {
    return this.byId.get(idOrSlug) ?? this.byId.get(idOrSlug.toLowerCase());
  }

  listing(listingId: string): { market: DirectoryMarket; listing: ListingRef } | undefined {
    return this.byListing.get(listingId);
  }

  byVenueMarketId(venue: Venue, venueMarketId: string): { market: DirectoryMarket; listing: ListingRef } | undefined {
    return this.byVenueMarket.get(`${venue}|${venueMarketId}`);
  }

  /** Markets whose id, slug, title, category or venue ids contain every word of the query. */
  search(query?: string, category?: string): DirectoryMarket[] {
    const words = (query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return this.markets.filter((m) => {
      if (category && m.category.toLowerCase() !== category.toLowerCase()) return false;
      if (words.length === 0) return true;
      const hay = [m.id, m.slug, m.title, m.category, ...m.listings.map((l) => l.venueMarketId)].join(' ').toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  }

  /** By id, slug, venue market id, or an unambiguous search term. */
  resolve(term: string): DirectoryMarket {
    const t = term.trim();
    if (!t) throw new TradingError('invalid_input', 'Which market? Give a market id or a few words of its title.');
    const exact = this.get(t);
    if (exact) return exact;
    for (const venue of ['polymarket', 'kalshi'] as const) {
      const hit = this.byVenueMarketId(venue, t) ?? this.byVenueMarketId(venue, t.toUpperCase());
      if (hit) return hit.market;
    }
    const found = this.search(t);
    if (found.length === 1) return found[0]!;
    if (found.length === 0) {
      throw new TradingError('market_not_found', `No market matches "${t}". Try /markets to search.`);
    }
    const names = found.slice(0, 5).map((m) => `${m.id} (${m.title})`);
    throw new TradingError('market_ambiguous', `"${t}" matches ${found.length} markets: ${names.join('; ')}. Use the market id.`, {
      candidates: found.slice(0, 10).map((m) => m.id),
    });
  }
}
