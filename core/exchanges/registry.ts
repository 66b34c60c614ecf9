/**
 * Adapter registries keyed by venue. Paper mode: one PaperExchange per real venue over the same
 * market data feed, so the router really chooses between "polymarket" and "kalshi".
 */
import type { Db } from '../db/client.ts';
import type { Decimal } from '../money.ts';
import type { MarketDataFeed } from '../markets/types.ts';
import { PaperExchange, type PaperExchangeOptions } from './paper/paper-exchange.ts';
import { VENUES, type ExchangeAdapter, type Venue } from './types.ts';

/** Builds a PaperExchange for every venue. Call `close()` on each (or drop the feed) when done. */
export function createPaperRegistry(args: {
  prisma: Db;
  feed: MarketDataFeed;
  startingBalance: Decimal;
  clock?: () => Date;
  fees?: PaperExchangeOptions['fees'];
  onError?: PaperExchangeOptions['onError'];
}): Map<Venue, ExchangeAdapter> {
  const registry = new Map<Venue, ExchangeAdapter>();
  for (const venue of VENUES) registry.set(venue, new PaperExchange({ venue, ...args }));
  return registry;
}
