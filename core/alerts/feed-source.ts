/**
 * Feeds the alert evaluator from the market data feed: every book update of a listing becomes one
 * `onPrice` with that listing's YES best bid/ask. (The price sync of core/automation reads the same
 * feed for the triggers; alerts listen on their own so neither waits for the other.)
 */
import type { MarketDirectory } from '../markets/directory.ts';
import type { MarketDataFeed } from '../markets/types.ts';
import type { AlertEvaluator, AlertsLog } from './evaluator.ts';

/** Subscribes; returns the unsubscribe function. */
export function feedAlerts(args: { feed: MarketDataFeed; directory: MarketDirectory; evaluator: AlertEvaluator; log?: AlertsLog }): () => void {
  const { feed, directory, evaluator, log } = args;
  return feed.onUpdate((u) => {
    const hit = directory.byVenueMarketId(u.venue, u.venueMarketId);
    if (!hit) return;
    const book = feed.getBook(u.venue, u.venueMarketId, 'yes');
    if (!book) return;
    evaluator
      .onPrice({ listingId: hit.listing.listingId, marketId: hit.market.id, yesBid: book.bids[0]?.price ?? null, yesAsk: book.asks[0]?.price ?? null, at: u.timestamp })
      .catch((err) => log?.error({ err, listingId: hit.listing.listingId }, 'alerts: evaluating a price failed'));
  });
}
