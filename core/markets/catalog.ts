/**
 * The synthetic demo catalog: plausible late-2026 markets across categories, some listed on both
 * venues (with different starting mids, so the books and the router's choice differ), the rest on
 * one. Identifiers look like the venues' own: Polymarket 0x… condition ids with long decimal token
 * ids (derived deterministically from the market id), Kalshi tickers like KXFEDCUT-26DEC.
 */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { Decimal } from '../money.ts';
import type { ListingRef, Venue } from '../exchanges/types.ts';
import type { CatalogListing, CatalogMarket } from './types.ts';

interface PolySpec {
  mid: string;
  tick?: string;
  negRisk?: boolean;
  minSize?: string;
}
interface KalshiSpec {
  ticker: string;
  mid: string;
}
interface MarketSpec {
  id: string;
  title: string;
  category: string;
  closesAt: string;
  poly?: PolySpec;
  kalshi?: KalshiSpec;
}

const SPECS: MarketSpec[] = [
  // politics
  { id: 'house-dem-2026', title: 'Will Democrats win the House in the 2026 midterms?', category: 'politics', closesAt: '2026-11-04', poly: { mid: '0.71' }, kalshi: { ticker: 'KXHOUSECTRL-26NOV-D', mid: '0.68' } },
  { id: 'senate-gop-2026', title: 'Will Republicans keep the Senate after the 2026 midterms?', category: 'politics', closesAt: '2026-11-04', poly: { mid: '0.64' }, kalshi: { ticker: 'KXSENATECTRL-26NOV-R', mid: '0.67' } },
  { id: 'trump-approval-45-2027', title: "Will Trump's approval be above 45% on January 1, 2027?", category: 'politics', closesAt: '2027-01-01', poly: { mid: '0.23' } },
  { id: 'newsom-nominee-2028', title: 'Will Gavin Newsom win the 2028 Democratic nomination?', category: 'politics', closesAt: '2028-08-31', poly: { mid: '0.27', negRisk: true } },
  { id: 'aoc-nominee-2028', title: 'Will Alexandria Ocasio-Cortez win the 2028 Democratic nomination?', category: 'politics', closesAt: '2028-08-31', poly: { mid: '0.12', negRisk: true } },
  { id: 'shapiro-nominee-2028', title: 'Will Josh Shapiro win the 2028 Democratic nomination?', category: 'politics', closesAt: '2028-08-31', poly: { mid: '0.09', negRisk: true } },
  // economics
  { id: 'fed-cut-dec-2026', title: 'Will the Fed cut rates at the December 2026 FOMC meeting?', category: 'economics', closesAt: '2026-12-09', poly: { mid: '0.62' }, kalshi: { ticker: 'KXFEDCUT-26DEC', mid: '0.59' } },
  { id: 'us-recession-2026', title: 'Will the US enter a recession in 2026?', category: 'economics', closesAt: '2027-03-31', poly: { mid: '0.19' }, kalshi: { ticker: 'KXRECSSNBER-26', mid: '0.22' } },
  { id: 'sp500-7500-2026', title: 'Will the S&P 500 close above 7,500 on December 31, 2026?', category: 'economics', closesAt: '2026-12-31', poly: { mid: '0.47' }, kalshi: { ticker: 'KXINXY-26DEC31-B7500', mid: '0.45' } },
  { id: 'cpi-above-3-nov-2026', title: 'Will US CPI inflation for November 2026 be above 3.0% year over year?', category: 'economics', closesAt: '2026-12-10', kalshi: { ticker: 'KXCPIYOY-26NOV-T3.0', mid: '0.41' } },
  { id: 'unemployment-5-dec-2026', title: 'Will US unemployment be above 5.0% in December 2026?', category: 'economics', closesAt: '2027-01-08', kalshi: { ticker: 'KXU3-26DEC-T5.0', mid: '0.16' } },
  { id: 'gas-below-3-2026', title: 'Will the US average gas price be below $3.00 on December 31, 2026?', category: 'economics', closesAt: '2026-12-31', kalshi: { ticker: 'KXAAAGASM-26DEC31-3.00', mid: '0.33' } },
  // crypto
  { id: 'btc-150k-2026', title: 'Will Bitcoin reach $150,000 by December 31, 2026?', category: 'crypto', closesAt: '2026-12-31', poly: { mid: '0.14' }, kalshi: { ticker: 'KXBTCMAX-26DEC-150000', mid: '0.12' } },
  { id: 'eth-5k-2026', title: 'Will Ether trade above $5,000 on December 31, 2026?', category: 'crypto', closesAt: '2026-12-31', poly: { mid: '0.087', tick: '0.001' } },
  { id: 'btc-below-60k-2026', title: 'Will Bitcoin dip below $60,000 before the end of 2026?', category: 'crypto', closesAt: '2026-12-31', kalshi: { ticker: 'KXBTCMIN-26DEC-60000', mid: '0.09' } },
  { id: 'usdt-depeg-2026', title: 'Will USDT depeg below $0.95 in 2026?', category: 'crypto', closesAt: '2026-12-31', poly: { mid: '0.024', tick: '0.001' } },
  // sports
  { id: 'chiefs-super-bowl-lxi', title: 'Will the Kansas City Chiefs win Super Bowl LXI?', category: 'sports', closesAt: '2027-02-14', poly: { mid: '0.11', negRisk: true }, kalshi: { ticker: 'KXSB-27-KC', mid: '0.10' } },
  { id: 'celtics-nba-2027', title: 'Will the Boston Celtics win the 2027 NBA Finals?', category: 'sports', closesAt: '2027-06-30', poly: { mid: '0.16', negRisk: true } },
  { id: 'real-madrid-ucl-2027', title: 'Will Real Madrid win the 2026–27 Champions League?', category: 'sports', closesAt: '2027-05-29', poly: { mid: '0.17' } },
  { id: 'dodgers-world-series-2027', title: 'Will the Los Angeles Dodgers win the 2027 World Series?', category: 'sports', closesAt: '2027-11-05', kalshi: { ticker: 'KXMLB-27-LAD', mid: '0.21' } },
  // tech
  { id: 'gpt-6-release-2026', title: 'Will OpenAI release GPT-6 before January 1, 2027?', category: 'tech', closesAt: '2026-12-31', poly: { mid: '0.38' }, kalshi: { ticker: 'KXGPT6-26DEC', mid: '0.34' } },
  { id: 'apple-foldable-2026', title: 'Will Apple announce a foldable iPhone in 2026?', category: 'tech', closesAt: '2026-12-31', poly: { mid: '0.52' } },
  { id: 'tesla-robotaxi-10-cities', title: 'Will Tesla run driverless robotaxis in 10 or more US cities by the end of 2026?', category: 'tech', closesAt: '2026-12-31', kalshi: { ticker: 'KXROBOTAXI-26DEC-10', mid: '0.13' } },
  { id: 'nvidia-largest-2026', title: "Will Nvidia be the world's largest company on December 31, 2026?", category: 'tech', closesAt: '2026-12-31', poly: { mid: '0.67' } },
  // culture
  { id: 'gta6-on-time-2026', title: 'Will GTA VI be released on schedule in November 2026?', category: 'culture', closesAt: '2026-11-30', poly: { mid: '0.74' }, kalshi: { ticker: 'KXGTA6-26NOV', mid: '0.72' } },
  { id: 'taylor-swift-album-2026', title: 'Will Taylor Swift release a new studio album in 2026?', category: 'culture', closesAt: '2026-12-31', poly: { mid: '0.44' } },
  { id: 'time-poy-ai-2026', title: "Will TIME's 2026 Person of the Year be an AI leader?", category: 'culture', closesAt: '2026-12-15', poly: { mid: '0.21' } },
  // weather
  { id: 'hottest-year-2026', title: 'Will 2026 be the hottest year on record?', category: 'weather', closesAt: '2027-01-15', kalshi: { ticker: 'KXHOTYEAR-26', mid: '0.46' } },
  { id: 'nyc-white-christmas-2026', title: 'Will it snow in Central Park on Christmas Day 2026?', category: 'weather', closesAt: '2026-12-26', kalshi: { ticker: 'KXNYCSNOW-26DEC25', mid: '0.12' } },
  { id: 'la-rain-jan-2027', title: 'Will Los Angeles get more than 3 inches of rain in January 2027?', category: 'weather', closesAt: '2027-02-01', kalshi: { ticker: 'KXRAINLAXM-27JAN-3', mid: '0.31' } },
  // science
  { id: 'starship-refuel-2026', title: 'Will SpaceX demonstrate ship-to-ship propellant transfer in 2026?', category: 'science', closesAt: '2026-12-31', poly: { mid: '0.29' } },
];

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A deterministic Polymarket-style condition id: 0x + 64 hex digits. */
export function demoConditionId(marketId: string): string {
  return `0x${sha256Hex(`yesno-demo:condition:${marketId}`)}`;
}

/** A deterministic Polymarket-style ERC-1155 token id (a long decimal string). */
export function demoTokenId(marketId: string, outcome: 'yes' | 'no'): string {
  return BigInt(`0x${sha256Hex(`yesno-demo:token:${outcome}:${marketId}`)}`).toString(10);
}

function toMarket(spec: MarketSpec): CatalogMarket {
  const listings: CatalogListing[] = [];
  if (spec.poly) {
    listings.push({
      id: `${spec.id}:polymarket`,
      venue: 'polymarket',
      venueMarketId: demoConditionId(spec.id),
      yesTokenId: demoTokenId(spec.id, 'yes'),
      noTokenId: demoTokenId(spec.id, 'no'),
      tickSize: new Decimal(spec.poly.tick ?? '0.01'),
      minSize: new Decimal(spec.poly.minSize ?? '5'),
      negRisk: spec.poly.negRisk ?? false,
      initialMid: new Decimal(spec.poly.mid),
    });
  }
  if (spec.kalshi) {
    listings.push({
      id: `${spec.id}:kalshi`,
      venue: 'kalshi',
      venueMarketId: spec.kalshi.ticker,
      tickSize: new Decimal('0.01'),
      minSize: new Decimal('1'),
      negRisk: false,
      initialMid: new Decimal(spec.kalshi.mid),
    });
  }
  return {
    id: spec.id,
    slug: spec.id,
    title: spec.title,
    category: spec.category,
    closesAt: new Date(`${spec.closesAt}T23:59:59Z`),
    listings,
  };
}

/** The demo markets the synthetic feed and the paper venues trade. */
export const DEMO_CATALOG: CatalogMarket[] = SPECS.map(toMarket);

/** The adapter-facing reference of a catalog listing. */
export function listingRefOf(market: CatalogMarket, listing: CatalogListing): ListingRef {
  return {
    listingId: listing.id,
    marketId: market.id,
    venue: listing.venue,
    venueMarketId: listing.venueMarketId,
    yesTokenId: listing.yesTokenId ?? null,
    noTokenId: listing.noTokenId ?? null,
    tickSize: listing.tickSize,
    minSize: listing.minSize,
    negRisk: listing.negRisk,
  };
}

/** Finds a catalog listing by venue and venue market id. */
export function findCatalogListing(
  catalog: readonly CatalogMarket[],
  venue: Venue,
  venueMarketId: string,
): { market: CatalogMarket; listing: CatalogListing; ref: ListingRef } | undefined {
  for (const market of catalog) {
    for (const listing of market.listings) {
      if (listing.venue === venue && listing.venueMarketId === venueMarketId) return { market, listing, ref: listingRefOf(market, listing) };
    }
  }
  return undefined;
}

/**
 * Upserts Market and MarketListing rows for the catalog (idempotent: running it twice changes
 * nothing; changed titles, ticks or sizes are updated in place). One transaction.
 */
export async function seedCatalog(prisma: PrismaClient, catalog: readonly CatalogMarket[]): Promise<{ markets: number; listings: number }> {
  const ops = [];
  let listings = 0;
  for (const m of catalog) {
    const market = { slug: m.slug, title: m.title, category: m.category, closesAt: m.closesAt ?? null };
    ops.push(prisma.market.upsert({ where: { id: m.id }, create: { id: m.id, ...market }, update: market }));
    for (const l of m.listings) {
      listings++;
      const data = {
        venue: l.venue,
        venueMarketId: l.venueMarketId,
        yesTokenId: l.yesTokenId ?? null,
        noTokenId: l.noTokenId ?? null,
        tickSize: l.tickSize.toFixed(),
        minSize: l.minSize.toFixed(),
        negRisk: l.negRisk,
      };
      ops.push(prisma.marketListing.upsert({ where: { id: l.id }, create: { id: l.id, marketId: m.id, ...data }, update: data }));
    }
  }
  await prisma.$transaction(ops);
  return { markets: catalog.length, listings };
}
