/**
 * Live mode routing: only the venues the user has linked are considered. A forced venue that is not
 * linked, or no linked venue at all, is a TradingError that says how to link (code `rejected`,
 * `details.reason = "venue_not_linked"`). Paper mode passes `linked = null` and nothing changes.
 */
import { VENUES, type ListingRef, type Venue } from '../exchanges/types.ts';
import { TradingError } from '../trading/types.ts';

const NAMES: Record<Venue, string> = { polymarket: 'Polymarket', kalshi: 'Kalshi' };
const HOW: Record<Venue, string> = {
  polymarket: 'POST /api/v1/account/polymarket creates your Polymarket wallet',
  kalshi: 'POST /api/v1/account/kalshi with your Kalshi API key id and private key',
};

/** The listings of linked venues; throws when the forced venue, or every venue of the market, is not linked. */
export function linkedListings(args: { listings: ListingRef[]; linked: ReadonlySet<Venue> | null; forceVenue?: Venue }): ListingRef[] {
  const { listings, linked, forceVenue } = args;
  if (!linked) return listings;
  if (forceVenue && !linked.has(forceVenue)) {
    throw new TradingError('rejected', `You have not linked a ${NAMES[forceVenue]} account, so yesno cannot trade there for you. Link it first: ${HOW[forceVenue]}.`, {
      reason: 'venue_not_linked',
      venue: forceVenue,
      linked: [...linked],
    });
  }
  const usable = listings.filter((l) => linked.has(l.venue));
  if (usable.length === 0 && listings.length > 0) {
    const venues = VENUES.filter((v) => listings.some((l) => l.venue === v));
    const what =
      linked.size === 0
        ? 'You have not linked a venue account yet, so yesno cannot trade for you'
        : `This market trades on ${venues.map((v) => NAMES[v]).join(' and ')}, where you have no linked account`;
    throw new TradingError('rejected', `${what}. Link one first: ${venues.map((v) => HOW[v]).join('; or ')}.`, {
      reason: 'venue_not_linked',
      venues,
      linked: [...linked],
    });
  }
  return usable;
}

/**
 * The router explains a single candidate as "the only venue that lists this market"; when other
 * venues list it but are not linked, say so instead.
 */
export function explainLinkedOnly<R extends { venue: Venue; reason: string; forced: boolean; quotes: unknown[] }>(route: R, args: { listed: ListingRef[]; usable: ListingRef[] }): R {
  if (route.forced || route.quotes.length !== 1 || args.usable.length === args.listed.length) return route;
  const others = VENUES.filter((v) => v !== route.venue && args.listed.some((l) => l.venue === v)).map((v) => NAMES[v]);
  if (others.length === 0) return route;
  return { ...route, reason: `${route.venue}: the only venue you have linked that lists this market (not linked: ${others.join(', ')}).` };
}
