/**
 * Admin market registration: one yesno market over 1–2 venue listings that an admin has checked are
 * the same event. The venue rules (tick size, minimum size, neg-risk, Polymarket token ids) come from
 * the VenueMarket row the catalog sync stored, or else from the venue's public API; never from the
 * admin. Registration is one transaction (Market, MarketListing rows, VenueMarket, AuditLog), then
 * the directory reloads so the live feed serves the new listings from its next round.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { VenueError, type Venue } from '../exchanges/types.ts';
import { lookupVenueMarket, upsertVenueMarkets, type VenueMarketRow } from './catalog-sync.ts';
import type { DirectoryMarket, MarketDirectory } from './directory.ts';
import { DEMO_MARKET_IDS, type PublicApis } from './market-data-source.ts';
import { pairingSuggestions, type PairSuggestion } from './pairing-suggestions.ts';

export type ListingInput = { venue: 'polymarket'; conditionId: string; yesTokenId: string; noTokenId: string } | { venue: 'kalshi'; ticker: string };

export interface RegisterMarketInput {
  title: string;
  category: string;
  closesAt?: Date;
  listings: ListingInput[];
}

/** Why a registration failed; the HTTP layer maps `code` to a status (see api/routes/admin-markets.ts). */
export type RegistrationErrorCode = 'invalid_input' | 'already_listed' | 'not_on_venue' | 'venue_mismatch' | 'venue_unavailable' | 'venue_error';

export class MarketRegistrationError extends Error {
  constructor(
    readonly code: RegistrationErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'MarketRegistrationError';
  }
}

export const CONDITION_ID_RE = /^0x[0-9a-fA-F]{64}$/;
export const TOKEN_ID_RE = /^[0-9]{1,78}$/;
export const KALSHI_TICKER_RE = /^[A-Z0-9][A-Z0-9._-]{1,99}$/;

/** The admin API's view of market registration. */
export interface MarketAdminApi {
  register(input: RegisterMarketInput, actor: string): Promise<DirectoryMarket>;
  suggestions(args: { limit: number; offset?: number }): Promise<{ suggestions: PairSuggestion[]; total: number }>;
}

const NAMES: Record<Venue, string> = { polymarket: 'Polymarket', kalshi: 'Kalshi' };

export function slugify(title: string): string {
  const s = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return s || 'market';
}

const idOf = (l: ListingInput) => (l.venue === 'polymarket' ? l.conditionId.toLowerCase() : l.ticker.toUpperCase());

export class MarketRegistry implements MarketAdminApi {
  constructor(
    private readonly deps: {
      prisma: Db;
      directory: Pick<MarketDirectory, 'load' | 'get'>;
      /** null: venue look-ups are off (MARKET_DATA=synthetic); only markets the catalog sync stored can be registered. */
      apis: PublicApis | null;
    },
  ) {}

  async register(input: RegisterMarketInput, actor: string): Promise<DirectoryMarket> {
    const listings = this.validate(input);
    const { prisma } = this.deps;
    // Already listed anywhere?
    const taken = await prisma.marketListing.findMany({
      where: {
        OR: listings.flatMap((l): Prisma.MarketListingWhereInput[] =>
          l.venue === 'polymarket'
            ? [{ venue: 'polymarket', venueMarketId: { equals: l.conditionId, mode: 'insensitive' as const } }, { yesTokenId: { in: [l.yesTokenId, l.noTokenId] } }, { noTokenId: { in: [l.yesTokenId, l.noTokenId] } }]
            : [{ venue: 'kalshi', venueMarketId: l.ticker }],
        ),
      },
      include: { market: { select: { id: true, title: true } } },
    });
    if (taken.length > 0) {
      const t = taken[0]!;
      const demo = DEMO_MARKET_IDS.includes(t.market.id) ? ' That is a demo market of the synthetic catalog whose id only looks like a real one.' : '';
      throw new MarketRegistrationError('already_listed', `${NAMES[t.venue as Venue]} ${t.venueMarketId} is already listed as market "${t.market.id}" (${t.market.title}).${demo}`, {
        marketId: t.market.id,
        venue: t.venue,
        venueMarketId: t.venueMarketId,
      });
    }
    const rules = await Promise.all(listings.map((l) => this.rulesOf(l, input.title)));
    const id = await this.freeId(slugify(input.title));
    try {
      await prisma.$transaction(async (tx) => {
        await tx.market.create({ data: { id, slug: id, title: input.title, category: input.category, closesAt: input.closesAt ?? null, status: 'open' } });
        for (const r of rules) {
          await tx.marketListing.create({
            data: {
              id: `${id}:${r.venue}`,
              marketId: id,
              venue: r.venue,
              venueMarketId: r.venueMarketId,
              yesTokenId: r.yesTokenId,
              noTokenId: r.noTokenId,
              tickSize: r.tickSize!,
              minSize: r.minSize!,
              negRisk: r.negRisk,
            },
          });
        }
        await upsertVenueMarkets(tx as unknown as Db, rules.filter((r) => r.fetched));
        await tx.auditLog.create({
          data: {
            actor,
            action: 'market.register',
            subject: id,
            details: {
              title: input.title,
              category: input.category,
              listings: rules.map((r) => ({ venue: r.venue, venueMarketId: r.venueMarketId, tickSize: r.tickSize, minSize: r.minSize, negRisk: r.negRisk, source: r.fetched ? 'venue' : 'catalog' })),
            },
          },
        });
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new MarketRegistrationError('already_listed', 'One of these listings was registered a moment ago by another request; list the markets to see it.');
      }
      throw err;
    }
    await this.deps.directory.load();
    return this.deps.directory.get(id)!;
  }

  suggestions(args: { limit: number; offset?: number }): Promise<{ suggestions: PairSuggestion[]; total: number }> {
    return pairingSuggestions(this.deps.prisma, args);
  }

  /** Semantic checks the body schema cannot express. Returns listings with normalised ids. */
  private validate(input: RegisterMarketInput): ListingInput[] {
    const bad = (msg: string): never => {
      throw new MarketRegistrationError('invalid_input', msg);
    };
    if (input.listings.length < 1 || input.listings.length > 2) bad('listings must have 1 or 2 entries (one per venue)');
    const venues = input.listings.map((l) => l.venue);
    if (new Set(venues).size !== venues.length) bad(`listings has two ${NAMES[venues[0]!]} entries: at most one listing per venue`);
    return input.listings.map((l, i) => {
      if (l.venue === 'polymarket') {
        if (!CONDITION_ID_RE.test(l.conditionId)) bad(`listings[${i}].conditionId must be 0x followed by 64 hex digits (a Polymarket condition id)`);
        if (!TOKEN_ID_RE.test(l.yesTokenId)) bad(`listings[${i}].yesTokenId must be a Polymarket token id (decimal digits)`);
        if (!TOKEN_ID_RE.test(l.noTokenId)) bad(`listings[${i}].noTokenId must be a Polymarket token id (decimal digits)`);
        if (l.yesTokenId === l.noTokenId) bad(`listings[${i}]: yesTokenId and noTokenId must differ`);
        return { ...l, conditionId: l.conditionId.toLowerCase() };
      }
      const ticker = l.ticker.trim().toUpperCase();
      if (!KALSHI_TICKER_RE.test(ticker)) bad(`listings[${i}].ticker must be a Kalshi market ticker like KXFEDCUT-26DEC (letters, digits, - . _)`);
      return { venue: 'kalshi', ticker };
    });
  }

  /** The listing's venue rules: from the stored VenueMarket row, else from the venue. */
  private async rulesOf(l: ListingInput, title: string): Promise<VenueMarketRow & { fetched: boolean }> {
    const vmid = idOf(l);
    const stored = await this.deps.prisma.venueMarket.findFirst({
      where: { venue: l.venue, venueMarketId: { equals: vmid, mode: 'insensitive' } },
    });
    let row: VenueMarketRow & { fetched: boolean; tokenIds: string[] };
    if (stored && stored.tickSize !== null && stored.minSize !== null && (l.venue === 'kalshi' || (stored.yesTokenId && stored.noTokenId))) {
      row = {
        venue: l.venue,
        venueMarketId: stored.venueMarketId,
        title: stored.title,
        category: stored.category,
        status: stored.status as VenueMarketRow['status'],
        closesAt: stored.closesAt,
        yesTokenId: stored.yesTokenId,
        noTokenId: stored.noTokenId,
        tickSize: stored.tickSize.toString(),
        minSize: stored.minSize.toString(),
        negRisk: stored.negRisk,
        tokenIds: [stored.yesTokenId, stored.noTokenId].filter((t): t is string => Boolean(t)),
        fetched: false,
      };
    } else {
      row = { ...(await this.fetch(l, vmid, title)), fetched: true };
    }
    if (row.status === 'closed' || row.status === 'settled') {
      throw new MarketRegistrationError('venue_mismatch', `${NAMES[l.venue]} reports ${vmid} as ${row.status}; only open markets can be registered.`);
    }
    if (l.venue === 'polymarket') {
      if (row.yesTokenId !== l.yesTokenId || row.noTokenId !== l.noTokenId) {
        const known = row.tokenIds.length ? row.tokenIds.join(', ') : 'none';
        throw new MarketRegistrationError(
          'venue_mismatch',
          `The token ids do not match Polymarket condition ${vmid}: its YES token is ${row.yesTokenId ?? 'unknown'} and its NO token ${row.noTokenId ?? 'unknown'} (tokens: ${known}).`,
        );
      }
    }
    return row;
  }

  private async fetch(l: ListingInput, vmid: string, title: string): Promise<VenueMarketRow & { tokenIds: string[] }> {
    if (!this.deps.apis) {
      throw new MarketRegistrationError(
        'venue_unavailable',
        `${NAMES[l.venue]} ${vmid} is not in the synced catalog and venue look-ups are off (MARKET_DATA=synthetic); run with live market data or wait for the catalog sync.`,
      );
    }
    try {
      return l.venue === 'kalshi'
        ? await lookupVenueMarket(this.deps.apis, { venue: 'kalshi', ticker: vmid })
        : await lookupVenueMarket(this.deps.apis, { venue: 'polymarket', conditionId: vmid, title });
    } catch (err) {
      if (err instanceof VenueError) {
        if (err.kind === 'rejected' && /not.?found|404/i.test(`${err.code} ${err.message}`)) {
          throw new MarketRegistrationError('not_on_venue', `${NAMES[l.venue]} has no market ${vmid} (${err.message}).`);
        }
        if (err.kind === 'retryable') throw new MarketRegistrationError('venue_unavailable', `${NAMES[l.venue]} could not be reached to read ${vmid}'s rules: ${err.message}. Try again later.`);
        throw new MarketRegistrationError('venue_error', `${NAMES[l.venue]} answered unexpectedly for ${vmid}: ${err.message}`);
      }
      throw err;
    }
  }

  private async freeId(base: string): Promise<string> {
    const taken = new Set((await this.deps.prisma.market.findMany({ where: { id: { startsWith: base } }, select: { id: true } })).map((m) => m.id));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}
