/** Pairing suggestions: title normalisation, scoring, and ranking true pairs first among decoys. */
import { describe, expect, it } from 'vitest';
import { dateProximity, rankPairs, tokens, type PairCandidate } from '../../core/markets/pairing-suggestions.ts';

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const c = (venueMarketId: string, title: string, closes: string | null): PairCandidate => ({ venueMarketId, title, closesAt: closes ? d(closes) : null });

describe('tokens', () => {
  it('normalises numbers, months, plurals and drops stop words', () => {
    expect(tokens('Will Bitcoin reach $150,000 by December 31, 2026?')).toEqual(['bitcoin', 'reach', '150000', 'dec', '31', '2026']);
    expect(tokens('Bitcoin above 150k on Dec 31, 2026')).toEqual(['bitcoin', 'above', '150000', 'dec', '31', '2026']);
    expect(tokens('Will the Fed cut rates?')).toEqual(['fed', 'cut', 'rate']);
    expect(tokens('CPI above 3.0%')).toEqual(['cpi', 'above', '3.0']);
  });
});

describe('dateProximity', () => {
  it('is 1 within a day, halves every 7 days, 0.5 when unknown', () => {
    expect(dateProximity(d('2026-12-09'), d('2026-12-10'))).toBe(1);
    expect(dateProximity(d('2026-12-01'), d('2026-12-09'))).toBeCloseTo(0.5, 5);
    expect(dateProximity(null, d('2026-12-09'))).toBe(0.5);
  });
});

describe('rankPairs', () => {
  // A seeded catalog: true pairs worded differently on each venue, plus decoys that share words.
  const polymarket = [
    c('p-fed', 'Will the Fed cut rates at the December 2026 FOMC meeting?', '2026-12-09'),
    c('p-fed-jan', 'Will the Fed cut rates at the January 2027 FOMC meeting?', '2027-01-27'),
    c('p-btc', 'Will Bitcoin reach $150,000 by December 31, 2026?', '2026-12-31'),
    c('p-btc-100', 'Will Bitcoin reach $100,000 by December 31, 2026?', '2026-12-31'),
    c('p-house', 'Will Democrats win the House in the 2026 midterms?', '2026-11-03'),
    c('p-senate', 'Will Democrats win the Senate in the 2026 midterms?', '2026-11-03'),
    c('p-gta', 'Will GTA VI be released on schedule in November 2026?', '2026-11-30'),
    c('p-swift', 'Will Taylor Swift release a new studio album in 2026?', '2026-12-31'),
  ];
  const kalshi = [
    c('k-fed', 'Fed rate cut at December 2026 meeting?', '2026-12-09'),
    c('k-btc', 'Bitcoin above 150k on Dec 31, 2026?', '2026-12-31'),
    c('k-house', 'House control after the 2026 midterms: Democrats win?', '2026-11-04'),
    c('k-gta', 'GTA VI released in November 2026?', '2026-11-30'),
    c('k-snow', 'Will it snow in Central Park on Christmas Day 2026?', '2026-12-26'),
  ];
  const truth: Record<string, string> = { 'k-fed': 'p-fed', 'k-btc': 'p-btc', 'k-house': 'p-house', 'k-gta': 'p-gta' };

  it("ranks each Kalshi market's true pair above every decoy, and proposes nothing convincing for an unmatched market", () => {
    const ranked = rankPairs({ polymarket, kalshi });
    for (const [k, p] of Object.entries(truth)) {
      const mine = ranked.filter((s) => s.kalshi.venueMarketId === k);
      expect(mine[0]?.polymarket.venueMarketId, k).toBe(p);
      if (mine[1]) expect(mine[0]!.score).toBeGreaterThan(mine[1].score);
    }
    // The four true pairs are the four best suggestions overall.
    expect(ranked.slice(0, 4).map((s) => `${s.kalshi.venueMarketId}>${s.polymarket.venueMarketId}`).sort()).toEqual(
      Object.entries(truth).map(([k, p]) => `${k}>${p}`).sort(),
    );
    expect(ranked.filter((s) => s.kalshi.venueMarketId === 'k-snow').every((s) => s.score < 0.5)).toBe(true);
    const top = ranked[0]!;
    expect(top.reasons[0]).toMatch(/^title similarity 0\.\d\d: shared words /);
    expect(top.reasons[1]).toMatch(/close on the same day|close \d+ days? apart/);
  });

  it('close dates break ties between same-worded markets', () => {
    const ranked = rankPairs({
      polymarket: [c('p-dec', 'Fed cut rates December meeting', '2026-12-09'), c('p-old', 'Fed cut rates December meeting', '2025-12-10')],
      kalshi: [c('k', 'Fed cut rates December meeting', '2026-12-09')],
    });
    expect(ranked.map((s) => s.polymarket.venueMarketId)).toEqual(['p-dec', 'p-old']);
    expect(ranked[1]!.reasons[1]).toMatch(/close 364 days apart/);
  });
});
