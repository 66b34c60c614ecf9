/**
 * Pairing suggestions: Polymarket ↔ Kalshi venue markets (from the catalog sync's VenueMarket rows)
 * that look like the same event and are not registered yet, for an admin to review. Nothing is
 * registered automatically: resolution rules can differ between venues.
 *
 * Score (0–1) = 0.75 × title similarity + 0.25 × close-date proximity.
 * - Title similarity: weighted Dice coefficient over normalised tokens (lower case, punctuation
 *   dropped, stop words dropped, "$150,000" / "150k" → "150000", month names → 3 letters), each
 *   token weighted by its rarity across both venues (IDF), so "fed" counts more than "2026".
 * - Date proximity: 1 on the same day, halving every 7 days apart; 0.5 when a date is unknown.
 * Candidates are found through an inverted index (pairs sharing at least one selective token: one
 * in at most 2% of titles), not n × m.
 */
import type { Db } from '../db/client.ts';

export interface PairCandidate {
  venueMarketId: string;
  title: string;
  closesAt: Date | null;
}

export interface PairSuggestion {
  score: number;
  polymarket: PairCandidate;
  kalshi: PairCandidate;
  reasons: string[];
}

const STOP = new Set(
  'a an the will be is are was were of in on at by to for from with and or than then this that before after end its it as who what which yes no do does market price'.split(' '),
);
const MONTHS: Record<string, string> = {
  january: 'jan', february: 'feb', march: 'mar', april: 'apr', june: 'jun', july: 'jul', august: 'aug',
  september: 'sep', sept: 'sep', october: 'oct', november: 'nov', december: 'dec',
};

/** Normalised tokens of a title (see the module comment). */
export function tokens(title: string): string[] {
  const text = title
    .toLowerCase()
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/\$?(\d+(?:\.\d+)?)k\b/g, (_m, n: string) => String(Math.round(Number(n) * 1000)))
    .replace(/[$%]/g, ' ')
    .replace(/[^a-z0-9.]+/g, ' ');
  const out: string[] = [];
  for (let t of text.split(/\s+/)) {
    t = t.replace(/^\.+|\.+$/g, '');
    if (!t || STOP.has(t)) continue;
    t = MONTHS[t] ?? t;
    if (t.length > 3 && t.endsWith('s') && !/\d/.test(t) && !t.endsWith('ss')) t = t.slice(0, -1);
    out.push(t);
  }
  return [...new Set(out)];
}

/** Date proximity in [0, 1]: 1 the same day, halving every 7 days; 0.5 when unknown. */
export function dateProximity(a: Date | null, b: Date | null): number {
  if (!a || !b) return 0.5;
  const days = Math.abs(a.getTime() - b.getTime()) / 86_400_000;
  return Math.pow(0.5, Math.max(0, days - 1) / 7);
}

/** Ranks pairs (pure: tests call it directly): per Kalshi market its best `perMarket` (default 3) above `minScore`. */
export function rankPairs(args: { polymarket: readonly PairCandidate[]; kalshi: readonly PairCandidate[]; minScore?: number; perMarket?: number }): PairSuggestion[] {
  const minScore = args.minScore ?? 0.3;
  const poly = args.polymarket.map((c) => ({ c, t: tokens(c.title) }));
  const kal = args.kalshi.map((c) => ({ c, t: tokens(c.title) }));
  const df = new Map<string, number>();
  for (const x of [...poly, ...kal]) for (const t of x.t) df.set(t, (df.get(t) ?? 0) + 1);
  const n = poly.length + kal.length;
  const idfOf = new Map<string, number>();
  for (const [t, f] of df) idfOf.set(t, Math.log(1 + n / f));
  const weight = (ts: string[]) => ts.reduce((s, t) => s + (idfOf.get(t) ?? 0), 0);
  const polyW = poly.map((p) => weight(p.t));
  // Candidates come only through selective tokens: a word in many titles ("2026", "win") still
  // counts in the score but does not make every pair a candidate (that would be n × m).
  const selective = (t: string) => (df.get(t) ?? 0) <= Math.max(50, n * 0.02);
  const index = new Map<string, number[]>();
  poly.forEach((p, i) => p.t.filter(selective).forEach((t) => (index.get(t) ?? index.set(t, []).get(t)!).push(i)));
  const perKalshi = args.perMarket ?? 3;

  const out: PairSuggestion[] = [];
  for (const k of kal) {
    const seen = new Set<number>();
    for (const t of k.t) if (selective(t)) for (const i of index.get(t) ?? []) seen.add(i);
    const kw = weight(k.t);
    const kset = new Set(k.t);
    const mine: { i: number; score: number; title: number; shared: string[] }[] = [];
    for (const i of seen) {
      const p = poly[i]!;
      const shared = p.t.filter((t) => kset.has(t));
      const total = kw + polyW[i]!;
      const title = total > 0 ? (2 * weight(shared)) / total : 0;
      const score = 0.75 * title + 0.25 * dateProximity(p.c.closesAt, k.c.closesAt);
      if (score >= minScore) mine.push({ i, score, title, shared });
    }
    mine.sort((a, b) => b.score - a.score);
    for (const m of mine.slice(0, perKalshi)) {
      const p = poly[m.i]!;
      const reasons = [`title similarity ${m.title.toFixed(2)}: shared words ${m.shared.slice(0, 8).join(', ')}`];
      if (p.c.closesAt && k.c.closesAt) {
        const days = Math.round(Math.abs(p.c.closesAt.getTime() - k.c.closesAt.getTime()) / 86_400_000);
        reasons.push(days === 0 ? 'close on the same day' : `close ${days} day${days === 1 ? '' : 's'} apart`);
      } else reasons.push('a close date is unknown');
      out.push({ score: Math.round(m.score * 1000) / 1000, polymarket: p.c, kalshi: k.c, reasons });
    }
  }
  out.sort((a, b) => b.score - a.score || a.polymarket.venueMarketId.localeCompare(b.polymarket.venueMarketId) || a.kalshi.venueMarketId.localeCompare(b.kalshi.venueMarketId));
  return out;
}

/**
 * Suggestions from the database: open VenueMarket rows of both venues that no MarketListing points
 * at (at most `maxPerVenue` of each, soonest closing first), ranked, then paged.
 */
export async function pairingSuggestions(
  prisma: Db,
  args: { limit: number; offset?: number; minScore?: number; maxPerVenue?: number },
): Promise<{ suggestions: PairSuggestion[]; total: number }> {
  const load = async (venue: 'polymarket' | 'kalshi'): Promise<PairCandidate[]> => {
    const rows = await prisma.$queryRawUnsafe<{ venueMarketId: string; title: string; closesAt: Date | null }[]>(
      `SELECT vm."venueMarketId", vm.title, vm."closesAt" FROM "VenueMarket" vm
       WHERE vm.venue = $1 AND vm.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM "MarketListing" ml WHERE ml.venue = vm.venue AND ml."venueMarketId" = vm."venueMarketId")
       ORDER BY vm."closesAt" ASC NULLS LAST, vm."venueMarketId" LIMIT $2`,
      venue,
      args.maxPerVenue ?? 20_000,
    );
    return rows.map((r) => ({ venueMarketId: r.venueMarketId, title: r.title, closesAt: r.closesAt }));
  };
  const [polymarket, kalshi] = await Promise.all([load('polymarket'), load('kalshi')]);
  const ranked = rankPairs({ polymarket, kalshi, minScore: args.minScore });
  const offset = args.offset ?? 0;
  return { suggestions: ranked.slice(offset, offset + args.limit), total: ranked.length };
}
