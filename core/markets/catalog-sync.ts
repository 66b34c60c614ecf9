/**
 * Catalog sync: pages through each venue's open markets (public endpoints) into VenueMarket rows,
 * refreshes the venue rules of the MarketListing rows that point at them (tick size, minimum size,
 * neg-risk: read from the venue, never typed by admins), closes yesno markets whose every listing the
 * venues report closed, and reloads the MarketDirectory.
 *
 * - Bounded: at most `maxPages` pages per venue per run.
 * - Resumable: the venue's cursor is saved (Setting `catalog-sync:<venue>`) after every page, so the
 *   next run continues where this one stopped; the end of a listing starts the next run from page 1.
 * - Robust: a venue that fails is reported (its cursor kept) and the other venue still syncs.
 * jobs/catalog-sync.ts runs it at start and every 10 minutes (one process at a time).
 */
import type { Db } from '../db/client.ts';
import type { Venue } from '../exchanges/types.ts';
import { MARKETS_END_CURSOR, type PolymarketListedMarket } from '../exchanges/polymarket/public-api.ts';
import type { KalshiMarket } from '../exchanges/kalshi/public-api.ts';
import type { PublicApis } from './market-data-source.ts';

/** One venue market as stored in VenueMarket. */
export interface VenueMarketRow {
  venue: Venue;
  venueMarketId: string;
  title: string;
  category: string | null;
  status: VenueMarketStatus;
  closesAt: Date | null;
  yesTokenId: string | null;
  noTokenId: string | null;
  tickSize: string | null;
  minSize: string | null;
  negRisk: boolean;
}

export type VenueMarketStatus = 'open' | 'paused' | 'upcoming' | 'closed' | 'settled' | 'unknown';

export interface CatalogSyncDeps {
  prisma: Db;
  apis: PublicApis;
  /** Reloaded after a run that changed listings or markets. */
  directory?: { load(): Promise<void> };
  log?: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export interface VenueSyncReport {
  venue: Venue;
  pages: number;
  upserted: number;
  /** True when the venue's listing was walked to its end in this run (next run starts over). */
  completed: boolean;
  error: string | null;
}

export interface CatalogSyncReport {
  venues: VenueSyncReport[];

  listingsRefreshed: number;
  marketsClosed: number;
}

/** Kalshi's status words → VenueMarket.status (closed table; anything else is "unknown"). */
const KALSHI_STATUS: Record<string, VenueMarketStatus> = {
  active: 'open',
  open: 'open',
  initialized: 'upcoming',
  unopened: 'upcoming',
  inactive: 'paused',
  paused: 'paused',
  closed: 'closed',
  determined: 'settled',
  disputed: 'closed',
  amended: 'settled',
  finalized: 'settled',
  settled: 'settled',
};

export function polymarketStatus(m: Pick<PolymarketListedMarket, 'active' | 'closed' | 'archived' | 'acceptingOrders'>): VenueMarketStatus {
  if (m.closed || m.archived) return 'closed';
  if (!m.active) return 'paused';
  return m.acceptingOrders ? 'open' : 'paused';
}

export function kalshiStatus(status: string): VenueMarketStatus {
  return KALSHI_STATUS[status.toLowerCase()] ?? 'unknown';
}

export function polymarketRow(m: PolymarketListedMarket): VenueMarketRow {
  const yes = m.tokens.find((t) => t.outcome.toLowerCase() === 'yes') ?? m.tokens[0];
  const no = m.tokens.find((t) => t.outcome.toLowerCase() === 'no') ?? m.tokens[1];
  return {
    venue: 'polymarket',
    venueMarketId: m.conditionId,
    title: m.question || m.slug || m.conditionId,
    category: null, // the CLOB listing has no category (Gamma does)
    status: polymarketStatus(m),
    closesAt: m.endDate,
    yesTokenId: yes?.tokenId ?? null,
    noTokenId: no?.tokenId ?? null,
    tickSize: m.tickSize.toFixed(),
    minSize: m.minOrderSize.toFixed(),
    negRisk: m.negRisk,
  };
}

export function kalshiRow(m: KalshiMarket): VenueMarketRow {
  const title = m.subtitle && !m.title.includes(m.subtitle) ? `${m.title} (${m.subtitle})` : m.title;
  return {
    venue: 'kalshi',
    venueMarketId: m.ticker,
    title,
    category: null,
    status: kalshiStatus(m.status),
    closesAt: m.closeTime,
    yesTokenId: null,
    noTokenId: null,
    tickSize: m.tickSize.toFixed(),
    minSize: m.quantityStep.toFixed(),
    negRisk: false,
  };
}

const cursorKey = (venue: Venue) => `catalog-sync:${venue}`;

async function loadCursor(prisma: Db, venue: Venue): Promise<string | null> {
  const row = await prisma.setting.findUnique({ where: { key: cursorKey(venue) } });
  const v = row?.value as { cursor?: unknown } | undefined;
  return typeof v?.cursor === 'string' ? v.cursor : null;
}

async function saveCursor(prisma: Db, venue: Venue, cursor: string | null): Promise<void> {
  const value = { cursor, at: new Date().toISOString() };
  await prisma.setting.upsert({ where: { key: cursorKey(venue) }, create: { key: cursorKey(venue), value }, update: { value } });
}

/** Upserts rows by (venue, venueMarketId) in one statement. Returns how many. */
export async function upsertVenueMarkets(prisma: Db, rows: readonly VenueMarketRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = JSON.stringify(rows.map((r) => ({ ...r, closesAt: r.closesAt?.toISOString() ?? null })));
  return prisma.$executeRawUnsafe(
    `INSERT INTO "VenueMarket" (id, venue, "venueMarketId", title, category, status, "closesAt", "yesTokenId", "noTokenId", "tickSize", "minSize", "negRisk", "syncedAt")
     SELECT gen_random_uuid(), x.venue, x."venueMarketId", x.title, x.category, x.status, (x."closesAt"::timestamptz AT TIME ZONE 'UTC'),
            x."yesTokenId", x."noTokenId", x."tickSize"::numeric, x."minSize"::numeric, x."negRisk", now() AT TIME ZONE 'UTC'
     FROM jsonb_to_recordset($1::jsonb) AS x(venue text, "venueMarketId" text, title text, category text, status text, "closesAt" text,
          "yesTokenId" text, "noTokenId" text, "tickSize" text, "minSize" text, "negRisk" boolean)
     ON CONFLICT (venue, "venueMarketId") DO UPDATE SET title = EXCLUDED.title, category = COALESCE(EXCLUDED.category, "VenueMarket".category),
       status = EXCLUDED.status, "closesAt" = EXCLUDED."closesAt", "yesTokenId" = COALESCE(EXCLUDED."yesTokenId", "VenueMarket"."yesTokenId"),
       "noTokenId" = COALESCE(EXCLUDED."noTokenId", "VenueMarket"."noTokenId"), "tickSize" = EXCLUDED."tickSize", "minSize" = EXCLUDED."minSize",
       "negRisk" = EXCLUDED."negRisk", "syncedAt" = EXCLUDED."syncedAt"`,
    json,
  );
}

/**
 * Copies tick size, minimum size and neg-risk from VenueMarket onto the listings that point at the
 * given venue markets (only where they differ). Returns the listing ids changed.
 */
export async function refreshListings(prisma: Db, venue: Venue, venueMarketIds: readonly string[]): Promise<string[]> {
  if (venueMarketIds.length === 0) return [];
  const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE "MarketListing" ml SET "tickSize" = vm."tickSize", "minSize" = vm."minSize", "negRisk" = vm."negRisk", "updatedAt" = now() AT TIME ZONE 'UTC'
     FROM "VenueMarket" vm
     WHERE vm.venue = $1 AND vm."venueMarketId" = ANY($2::text[]) AND ml.venue = vm.venue AND ml."venueMarketId" = vm."venueMarketId"
       AND vm."tickSize" IS NOT NULL AND vm."minSize" IS NOT NULL
       AND (ml."tickSize" <> vm."tickSize" OR ml."minSize" <> vm."minSize" OR ml."negRisk" <> vm."negRisk")
     RETURNING ml.id`,
    venue,
    [...venueMarketIds],
  );
  return rows.map((r) => r.id);
}

/** Open yesno markets whose every active listing the venues report closed or settled become "closed". */
export async function closeFinishedMarkets(prisma: Db): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE "Market" m SET status = 'closed', "updatedAt" = now() AT TIME ZONE 'UTC'
     WHERE m.status = 'open'
       AND EXISTS (SELECT 1 FROM "MarketListing" ml WHERE ml."marketId" = m.id AND ml.active)
       AND NOT EXISTS (
         SELECT 1 FROM "MarketListing" ml LEFT JOIN "VenueMarket" vm ON vm.venue = ml.venue AND vm."venueMarketId" = ml."venueMarketId"
         WHERE ml."marketId" = m.id AND ml.active AND (vm.status IS NULL OR vm.status NOT IN ('closed', 'settled')))
     RETURNING m.id`,
  );
  return rows.map((r) => r.id);
}

interface VenuePager {
  venue: Venue;
  first: string | null;
  /** One page from `cursor` (null = first): rows and the next cursor (null = end). */
  page(cursor: string | null): Promise<{ rows: VenueMarketRow[]; next: string | null }>;
}

function pagers(apis: PublicApis): VenuePager[] {
  return [
    {
      venue: 'polymarket',
      first: null,
      async page(cursor) {
        const res = await apis.polymarket.getMarketsPage({ cursor: cursor ?? undefined });
        // The CLOB lists closed markets too: keep the open ones, and closed ones only to update rows we have.
        const rows = res.markets.map(polymarketRow);
        const next = res.nextCursor === MARKETS_END_CURSOR || res.nextCursor === cursor ? null : res.nextCursor;
        return { rows, next };
      },
    },
    {
      venue: 'kalshi',
      first: null,
      async page(cursor) {
        const res = await apis.kalshi.listMarkets({ status: 'open', cursor, limit: 200 });
        return { rows: res.markets.map(kalshiRow), next: res.cursor && res.cursor !== cursor ? res.cursor : null };
      },
    },
  ];
}

/** Keeps open rows, plus closed ones we already store (to record that they closed). */
async function worthStoring(prisma: Db, venue: Venue, rows: VenueMarketRow[]): Promise<VenueMarketRow[]> {
  const closed = rows.filter((r) => r.status === 'closed' || r.status === 'settled');
  if (closed.length === 0) return rows;
  const known = await prisma.venueMarket.findMany({ where: { venue, venueMarketId: { in: closed.map((r) => r.venueMarketId) } }, select: { venueMarketId: true } });
  const keep = new Set(known.map((k) => k.venueMarketId));
  return rows.filter((r) => !(r.status === 'closed' || r.status === 'settled') || keep.has(r.venueMarketId));
}

/** One sync run over both venues. Never throws for a venue failure (see the report). */
export async function syncCatalog(
  deps: CatalogSyncDeps,
  opts: { maxPages?: number; maxLookups?: number; exclude?: readonly string[] } = {},
): Promise<CatalogSyncReport> {
  const maxPages = Math.max(1, opts.maxPages ?? 20);
  // The database's clock: rows this run upserts carry syncedAt ≥ started.
  const clock = await deps.prisma.$queryRawUnsafe<{ started: Date }[]>(`SELECT (clock_timestamp() AT TIME ZONE 'UTC') AS started`);
  const started = clock[0]?.started ?? new Date();
  const report: CatalogSyncReport = { venues: [], listingsRefreshed: 0, marketsClosed: 0 };
  for (const pager of pagers(deps.apis)) {
    const r: VenueSyncReport = { venue: pager.venue, pages: 0, upserted: 0, completed: false, error: null };
    report.venues.push(r);
    let cursor = await loadCursor(deps.prisma, pager.venue);
    try {
      while (r.pages < maxPages) {
        const { rows, next } = await pager.page(cursor);
        r.pages += 1;
        const kept = await worthStoring(deps.prisma, pager.venue, rows);
        r.upserted += await upsertVenueMarkets(deps.prisma, kept);
        report.listingsRefreshed += (await refreshListings(deps.prisma, pager.venue, kept.map((k) => k.venueMarketId))).length;
        cursor = next;
        await saveCursor(deps.prisma, pager.venue, cursor);
        if (!next) {
          r.completed = true;
          break;
        }
      }
    } catch (err) {
      r.error = err instanceof Error ? err.message : String(err);
      deps.log?.warn({ venue: pager.venue, pages: r.pages, error: r.error }, 'catalog sync: venue failed; resuming from the same page next run');
    }
  }
  try {
    const looked = await refreshRegistered(deps, { since: started, limit: opts.maxLookups ?? 100, exclude: opts.exclude ?? [] });
    report.listingsRefreshed += looked.changed.length;
    if (looked.failed > 0) deps.log?.warn({ looked: looked.looked, failed: looked.failed }, 'catalog sync: some registered listings could not be looked up');
  } catch (err) {
    deps.log?.warn({ err }, 'catalog sync: looking up registered listings failed');
  }
  report.marketsClosed = (await closeFinishedMarkets(deps.prisma)).length;
  if (report.listingsRefreshed > 0 || report.marketsClosed > 0) await deps.directory?.load();
  deps.log?.info({ ...report }, 'catalog sync done');
  return report;
}

/**
 * Looks one listing up on its venue (admin registration, and listings the paged walk has not
 * reached). Polymarket: `/clob-markets/{conditionId}` (tokens, tick, neg-risk, min size, accepting
 * orders); Kalshi: `/markets/{ticker}`. Throws the client's VenueError.
 */
export async function lookupVenueMarket(
  apis: PublicApis,
  args: { venue: 'polymarket'; conditionId: string; title?: string } | { venue: 'kalshi'; ticker: string },
): Promise<VenueMarketRow & { tokenIds: string[] }> {
  if (args.venue === 'kalshi') {
    const m = await apis.kalshi.getMarket({ ticker: args.ticker });
    return { ...kalshiRow(m), tokenIds: [] };
  }
  const m = await apis.polymarket.getClobMarket({ conditionId: args.conditionId });
  const yes = m.tokens.find((t) => t.outcome.toLowerCase() === 'yes') ?? m.tokens[0];
  const no = m.tokens.find((t) => t.outcome.toLowerCase() === 'no') ?? m.tokens[1];
  return {
    venue: 'polymarket',
    venueMarketId: args.conditionId,
    title: args.title ?? args.conditionId,
    category: null,
    status: m.acceptingOrders === false ? 'paused' : 'open',
    closesAt: null,
    yesTokenId: yes?.tokenId ?? null,
    noTokenId: no?.tokenId ?? null,
    tickSize: m.tickSize.toFixed(),
    minSize: (m.minOrderSize ?? '5').toString(),
    negRisk: m.negRisk,
    tokenIds: m.tokens.map((t) => t.tokenId),
  };
}

/**
 * Refreshes registered listings of open markets the paged walk did not update since `since`
 * (Kalshi's open-only listing never shows a market closing; Polymarket's full listing takes many runs),
 * at most `limit` per run. Returns the listing ids whose rules changed and the failures.
 */
export async function refreshRegistered(
  deps: Pick<CatalogSyncDeps, 'prisma' | 'apis'>,
  args: { since: Date; limit: number; exclude: readonly string[] },
): Promise<{ changed: string[]; looked: number; failed: number }> {
  const listings = await deps.prisma.marketListing.findMany({
    where: { active: true, market: { status: 'open', id: { notIn: [...args.exclude] } } },
    select: { venue: true, venueMarketId: true },
    orderBy: { updatedAt: 'asc' },
  });
  const fresh = await deps.prisma.venueMarket.findMany({
    where: { syncedAt: { gte: args.since }, OR: listings.map((l) => ({ venue: l.venue, venueMarketId: l.venueMarketId })) },
    select: { venue: true, venueMarketId: true },
  });
  const seen = new Set(fresh.map((f) => `${f.venue}|${f.venueMarketId}`));
  const todo = listings.filter((l) => !seen.has(`${l.venue}|${l.venueMarketId}`)).slice(0, args.limit);
  const changed: string[] = [];
  let failed = 0;
  for (const l of todo) {
    try {
      const existing = await deps.prisma.venueMarket.findUnique({ where: { venue_venueMarketId: { venue: l.venue, venueMarketId: l.venueMarketId } } });
      const row =
        l.venue === 'kalshi'
          ? await lookupVenueMarket(deps.apis, { venue: 'kalshi', ticker: l.venueMarketId })
          : await lookupVenueMarket(deps.apis, { venue: 'polymarket', conditionId: l.venueMarketId, title: existing?.title });
      await upsertVenueMarkets(deps.prisma, [{ ...row, closesAt: row.closesAt ?? existing?.closesAt ?? null, category: row.category ?? existing?.category ?? null }]);
      changed.push(...(await refreshListings(deps.prisma, l.venue as Venue, [l.venueMarketId])));
    } catch {
      failed += 1;
    }
  }
  return { changed, looked: todo.length, failed };
}
