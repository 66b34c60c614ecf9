/**
 * Outcome token id (Polymarket asset) → our market and outcome, from the directory's listings
 * (MarketListing.yesTokenId / noTokenId). Rebuilt whenever the directory reloads its markets.
 */
import type { Outcome } from '../exchanges/types.ts';
import type { DirectoryMarket, MarketDirectory } from '../markets/directory.ts';

export class TokenIndex {
  private source: readonly DirectoryMarket[] | null = null;
  private byToken = new Map<string, { market: DirectoryMarket; outcome: Outcome }>();

  constructor(private readonly directory: MarketDirectory) {}

  find(tokenId: string): { market: DirectoryMarket; outcome: Outcome } | undefined {
    const all = this.directory.all();
    if (all !== this.source) {
      this.byToken = new Map();
      for (const m of all) {
        for (const l of m.listings) {
          if (l.yesTokenId) this.byToken.set(l.yesTokenId, { market: m, outcome: 'yes' });
          if (l.noTokenId) this.byToken.set(l.noTokenId, { market: m, outcome: 'no' });
        }
      }
      this.source = all;
    }
    return this.byToken.get(tokenId);
  }
}
