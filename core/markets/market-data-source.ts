/**
 * Which market data the paper venues (and, in live trading, the router and monitors) run on:
 *
 * - MARKET_DATA=synthetic: the demo catalog and its seeded random walk; the venues are never called.
 * - MARKET_DATA=live: the venues' public books (LiveMarketFeed) of the catalog's real listings.
 * - MARKET_DATA=auto (default): probe both venues' public endpoints at start (short timeout);
 *   if at least one answers → live, else → synthetic. The choice and its reason are logged.
 *
 * With live data the demo markets (whose venue ids are invented) are paused (status "paused", so
 * they are listed but cannot be traded and their triggers never fire); with synthetic data they are
 * (re)seeded open. The live feed serves every open market's listings, re-read each polling round.
 */
import { VenueError, type OrderBook, type Venue } from '../exchanges/types.ts';
import { PolymarketPublicApi } from '../exchanges/polymarket/public-api.ts';
import { KalshiPublicApi } from '../exchanges/kalshi/public-api.ts';
import type { Db } from '../db/client.ts';
import { DEMO_CATALOG } from './catalog.ts';
import type { MarketDirectory } from './directory.ts';
import { LiveMarketFeed, mirror, type FeedLog, type LiveListing, type ListingBooks, type VenueBookSource } from './live-feed.ts';
import { PolymarketMarketStream } from './polymarket-stream.ts';

export type MarketDataMode = 'auto' | 'live' | 'synthetic';
export type MarketDataKind = 'live' | 'synthetic';

/** Venue hosts (config) the public clients need. */
export interface VenueEndpoints {
  polymarketClobUrl: string;
  polymarketWsUrl?: string;
  kalshiApiUrl: string;
}

/** The public clients of both venues, built once and shared (feed, catalog sync, admin). */
export interface PublicApis {
  polymarket: PolymarketPublicApi;
  kalshi: KalshiPublicApi;
}

export function createPublicApis(args: { endpoints: VenueEndpoints; timeoutMs: number; fetch?: typeof fetch }): PublicApis {
  return {
    polymarket: new PolymarketPublicApi({ baseUrl: args.endpoints.polymarketClobUrl, timeoutMs: args.timeoutMs, fetch: args.fetch }),
    kalshi: new KalshiPublicApi({ baseUrl: args.endpoints.kalshiApiUrl, timeoutMs: args.timeoutMs, fetch: args.fetch }),
  };
}

/** Polymarket: one `/book` per outcome token (the NO book is mirrored from YES when no NO token is known). */
export function polymarketBookSource(api: PolymarketPublicApi): VenueBookSource {
  return {
    venue: 'polymarket',
    async fetchBooks(l: LiveListing): Promise<ListingBooks> {
      if (!l.yesTokenId) throw new VenueError({ kind: 'rejected', code: 'NO_TOKEN', venue: 'polymarket', message: `listing ${l.venueMarketId} has no YES token id` });
      const [yes, no] = await Promise.all([api.getBook({ tokenId: l.yesTokenId }), l.noTokenId ? api.getBook({ tokenId: l.noTokenId }) : null]);
      const yesBook: OrderBook = { venue: 'polymarket', venueMarketId: l.venueMarketId, outcome: 'yes', bids: yes.bids, asks: yes.asks, timestamp: yes.timestamp };
      const noBook: OrderBook = no
        ? { venue: 'polymarket', venueMarketId: l.venueMarketId, outcome: 'no', bids: no.bids, asks: no.asks, timestamp: no.timestamp }
        : mirror(yesBook);
      return { yes: yesBook, no: noBook };
    },
  };
}

/** Kalshi: one `/markets/{ticker}/orderbook` gives both outcomes. */
export function kalshiBookSource(api: KalshiPublicApi): VenueBookSource {
  return {
    venue: 'kalshi',
    async fetchBooks(l: LiveListing): Promise<ListingBooks> {
      const { yes, no } = await api.getOrderBooks({ ticker: l.venueMarketId });
      return { yes, no };
    },
  };
}

export interface ProbeResult {
  venue: Venue;
  reachable: boolean;
  /** Why not (the client's message), or the round trip when reachable. */
  detail: string;
}

/**
 * Asks each venue's public listing for one page (a read any client may make) with a short timeout.
 * Never throws.
 */
export async function probeVenues(args: { endpoints: VenueEndpoints; timeoutMs: number; fetch?: typeof fetch }): Promise<ProbeResult[]> {
  const apis = createPublicApis(args);
  const probe = async (venue: Venue, call: () => Promise<unknown>): Promise<ProbeResult> => {
    const started = Date.now();
    try {
      await call();
      return { venue, reachable: true, detail: `answered in ${Date.now() - started} ms` };
    } catch (err) {
      // A 4xx still means the host answered; only retryable failures count as unreachable.
      if (err instanceof VenueError && err.kind === 'rejected' && err.code !== 'BAD_RESPONSE' && err.code !== 'bad_response') {
        return { venue, reachable: true, detail: `answered (${err.message})` };
      }
      return { venue, reachable: false, detail: err instanceof Error ? err.message : String(err) };
    }
  };
  return Promise.all([
    // GET /time: the CLOB's cheapest public read (a market page can be large).
    probe('polymarket', () => fetchOk(`${args.endpoints.polymarketClobUrl}/time`, args.timeoutMs, args.fetch)),
    probe('kalshi', () => apis.kalshi.listMarkets({ status: 'open', limit: 1 })),
  ]);
}

async function fetchOk(url: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<void> {
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw new Error(timedOut ? `no answer within ${timeoutMs} ms` : `unreachable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (res.status >= 500 || res.status === 429) throw new Error(`HTTP ${res.status}`);
}

/** The decision of chooseMarketData, with a sentence for the log. */
export interface MarketDataChoice {
  kind: MarketDataKind;
  reason: string;
  probes: ProbeResult[];
}

export async function chooseMarketData(args: {
  mode: MarketDataMode;
  endpoints: VenueEndpoints;
  probeTimeoutMs?: number;
  fetch?: typeof fetch;
}): Promise<MarketDataChoice> {
  if (args.mode === 'synthetic') return { kind: 'synthetic', reason: 'MARKET_DATA=synthetic: the venues are never called', probes: [] };
  if (args.mode === 'live') return { kind: 'live', reason: 'MARKET_DATA=live', probes: [] };
  const probes = await probeVenues({ endpoints: args.endpoints, timeoutMs: args.probeTimeoutMs ?? 3_000, fetch: args.fetch });
  const up = probes.filter((p) => p.reachable);
  const summary = probes.map((p) => `${p.venue} ${p.reachable ? 'reachable' : `unreachable (${p.detail})`}`).join(', ');
  if (up.length > 0) return { kind: 'live', reason: `MARKET_DATA=auto: ${summary}: paper venues run on live public books`, probes };
  return { kind: 'synthetic', reason: `MARKET_DATA=auto: ${summary}: falling back to the synthetic catalog`, probes };
}

/** Ids of the demo catalog's markets (their venue ids are invented). */
export const DEMO_MARKET_IDS: readonly string[] = DEMO_CATALOG.map((m) => m.id);

/** With live data, demo markets are paused (listed, not tradable). Returns how many changed. */
export async function pauseDemoMarkets(prisma: Db): Promise<number> {
  const res = await prisma.market.updateMany({ where: { id: { in: [...DEMO_MARKET_IDS] }, status: 'open' }, data: { status: 'paused' } });
  return res.count;
}

/** The live feed's listings: every listing of every open market in the directory. */
export function openListingsOf(directory: Pick<MarketDirectory, 'all'>): LiveListing[] {
  const out: LiveListing[] = [];
  for (const m of directory.all()) {
    if (m.status !== 'open') continue;
    for (const l of m.listings) out.push({ venue: l.venue, venueMarketId: l.venueMarketId, yesTokenId: l.yesTokenId, noTokenId: l.noTokenId });
  }
  return out;
}

/** Builds the live feed over both venues' public endpoints (Polymarket with its market stream when a WS URL is given). */
export function createLiveFeed(args: {
  apis: PublicApis;
  endpoints: VenueEndpoints;
  listings: () => readonly LiveListing[];
  pollSeconds: number;
  staleSeconds: number;
  log?: FeedLog;
  /** Use the Polymarket market channel (default true when polymarketWsUrl is set). */
  stream?: boolean;
}): LiveMarketFeed {
  const pollMs = Math.round(args.pollSeconds * 1000);
  const streams =
    args.endpoints.polymarketWsUrl && args.stream !== false
      ? [new PolymarketMarketStream({ url: `${args.endpoints.polymarketWsUrl}/market`, quietMs: Math.max(15_000, pollMs * 5), log: args.log })]
      : [];
  return new LiveMarketFeed({
    sources: [polymarketBookSource(args.apis.polymarket), kalshiBookSource(args.apis.kalshi)],
    streams,
    listings: args.listings,
    pollMs,
    staleMs: args.staleSeconds * 1000,
    log: args.log,
    onListenerError: (err) => args.log?.warn({ err }, 'market data: a listener failed'),
  });
}
