/**
 * Readers for the values traders type: dollar amounts ($25), share counts (10, 10sh), prices
 * (0.42, 42c, 42¢, @42), outcomes (yes/no), venues (polymarket/kalshi) and market references
 * (an id, a slug, search words, or a pasted Polymarket/Kalshi web link). Decimal only.
 */
import { Decimal, parseDecimal } from '../../core/money.ts';
import type { Outcome, Venue } from '../../core/exchanges/types.ts';

/** How much to trade. */
export type Size = { kind: 'usd'; amount: Decimal } | { kind: 'shares'; quantity: Decimal } | { kind: 'all' };

/** A market as the user named it, with the look-up terms to try in order. */
export interface MarketRef {
  /** What the user typed (words joined by spaces, or the link). */
  text: string;
  /** Terms for MarketsApi.resolve, best first. */
  candidates: string[];
  /** Set when the user pasted a venue link. */
  link?: { venue: Venue; url: string };
}

/** A failed read; `hint` says what the right form looks like. */
export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

const USD_WORDS = new Set(['usd', 'dollar', 'dollars', 'usdc', '$']);
const SHARE_WORDS = new Set(['share', 'shares', 'sh', 'contract', 'contracts']);

/** True for words that only qualify the size token before them ("10 shares", "25 usd"). */
export function isUnitWord(word: string): 'usd' | 'shares' | null {
  const w = word.toLowerCase();
  return USD_WORDS.has(w) ? 'usd' : SHARE_WORDS.has(w) ? 'shares' : null;
}

/** yes / no (and y / n), case-insensitive. */
export function readOutcome(word: string): Outcome | null {
  const w = word.toLowerCase();
  if (w === 'yes' || w === 'y') return 'yes';
  if (w === 'no' || w === 'n') return 'no';
  return null;
}

const VENUE_ALIASES: Record<string, Venue> = {
  polymarket: 'polymarket',
  poly: 'polymarket',
  pm: 'polymarket',
  kalshi: 'kalshi',
  kal: 'kalshi',
};

export function readVenue(word: string): Venue | null {
  return VENUE_ALIASES[word.toLowerCase()] ?? null;
}

function positive(d: Decimal | null, what: string, raw: string): Read<Decimal> {
  if (!d) return { ok: false, problem: `I couldn't read ${JSON.stringify(raw)} as ${what}.` };
  if (d.lte(0)) return { ok: false, problem: `The ${what.replace(/^an? /, '')} must be more than zero (you wrote ${JSON.stringify(raw)}).` };
  return { ok: true, value: d };
}

/**
 * A size: "$25", "25$", "$25.50", "25usd" → dollars; "10", "10.5", "10sh", "1,000" → shares;
 * "all" → everything held (sells). `unit` is a following unit word, if the user wrote one.
 */
export function readSize(raw: string, unit?: 'usd' | 'shares' | null): Read<Size> {
  const w = raw.trim().toLowerCase();
  if (w === 'all' || w === 'max' || w === 'everything') return { ok: true, value: { kind: 'all' } };
  if (/^-/.test(w)) return { ok: false, problem: `The amount must be more than zero (you wrote ${JSON.stringify(raw)}).` };
  let m = /^\$\s*(.+)$/.exec(w) ?? /^(.+?)\s*(\$|usd|usdc|dollars?)$/.exec(w);
  if (m || unit === 'usd') {
    const num = m ? m[1]! : w;
    const r = positive(parseDecimal(num), 'an amount', raw);
    return r.ok ? { ok: true, value: { kind: 'usd', amount: r.value } } : r;
  }
  m = /^(.+?)\s*(shares?|sh|contracts?)$/.exec(w);
  const r = positive(parseDecimal(m ? m[1]! : w), 'an amount', raw);
  return r.ok ? { ok: true, value: { kind: 'shares', quantity: r.value } } : r;
}

const MAX_PRICE = new Decimal(1);
const HUNDRED = new Decimal(100);

/**
 * A price per share in dollars: "0.42", ".42", "$0.42" → 0.42; "42c", "42¢", "42.5c" → cents;
 * a bare number from 1 to 99 ("@42") can only mean cents. A leading "@" is allowed.
 */
export function readPrice(raw: string): Read<Decimal> {
  const w = raw.trim().toLowerCase().replace(/^@\s*/, '');
  const bad: Read<Decimal> = { ok: false, problem: `I couldn't read ${JSON.stringify(raw)} as a price. Write it as 0.42 or 42c.` };
  if (w === '') return { ok: false, problem: 'The price is missing after "@". Write it as 0.42 or 42c.' };
  const centsMatch = /^(.+?)\s*(c|¢|cents?)$/.exec(w);
  let price: Decimal | null;
  if (centsMatch) {
    const c = parseDecimal(centsMatch[1]!);
    price = c ? c.div(HUNDRED) : null;
  } else {
    if (/^-/.test(w)) return { ok: false, problem: `A price must be between 1¢ and 99¢ (you wrote ${JSON.stringify(raw)}).` };
    const d = parseDecimal(w);
    price = d && d.gte(1) && !w.startsWith('$') && d.lt(HUNDRED) ? d.div(HUNDRED) : d;
  }
  if (!price) return bad;
  if (price.lte(0) || price.gte(MAX_PRICE)) {
    return { ok: false, problem: `A price must be between 1¢ and 99¢ (0.01 to 0.99); you wrote ${JSON.stringify(raw)}.` };
  }
  return { ok: true, value: price };
}

const URL_RE = /^(https?:\/\/)?([\w-]+\.)*(polymarket\.com|kalshi\.com)(\/\S*)?$/i;

/** True when the word looks like a Polymarket or Kalshi web link. */
export function isVenueLink(word: string): boolean {
  return URL_RE.test(word.trim());
}

/**
 * A market reference from the words the user typed. Links become look-up terms:
 * - polymarket.com/event/<event-slug>/<market-slug> → market slug, then event slug
 * - polymarket.com/market/<slug>, polymarket.com/<lang>/event/<slug> → slug
 * - kalshi.com/markets/<series>/<title-slug>/<ticker> → TICKER, then series, then the title words
 * - kalshi.com/events/<ticker> → TICKER
 */
export function readMarketRef(words: string[]): Read<MarketRef> {
  const text = words.join(' ').trim();
  if (!text) return { ok: false, problem: 'Which market? Give a market id, a few words of its title, or a Polymarket/Kalshi link.' };
  const links = words.filter(isVenueLink);
  if (links.length === 0) return { ok: true, value: { text, candidates: [text] } };
  if (words.length > 1) {
    return { ok: false, problem: 'Give either a market link or words from its title, not both.' };
  }
  const link = links[0]!;
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(link) ? link : `https://${link}`);
  } catch {
    return { ok: false, problem: `I couldn't read the link ${JSON.stringify(link)}.` };
  }
  const venue: Venue = /kalshi\.com$/i.test(url.hostname) ? 'kalshi' : 'polymarket';
  const parts = url.pathname
    .split('/')
    .map((p) => decodeURIComponent(p).trim())
    .filter(Boolean);
  const candidates = venue === 'polymarket' ? polymarketTerms(parts) : kalshiTerms(parts);
  if (candidates.length === 0) {
    const where = venue === 'polymarket' ? 'polymarket.com/event/<market>' : 'kalshi.com/markets/<series>/<name>/<ticker>';
    return { ok: false, problem: `That ${venueName(venue)} link doesn't point at a market (expected ${where}).` };
  }
  return { ok: true, value: { text: link, candidates, link: { venue, url: url.toString() } } };
}

function polymarketTerms(parts: string[]): string[] {
  const at = parts.findIndex((p) => ['event', 'market', 'markets'].includes(p.toLowerCase()));
  if (at < 0) return [];
  const slugs = parts.slice(at + 1, at + 3).map((p) => p.toLowerCase());
  return unique(slugs.reverse());
}

function kalshiTerms(parts: string[]): string[] {
  const at = parts.findIndex((p) => ['markets', 'events', 'market', 'event'].includes(p.toLowerCase()));
  if (at < 0) return [];
  const rest = parts.slice(at + 1);
  if (rest.length === 0) return [];
  const last = rest[rest.length - 1]!;
  const terms = [last.toUpperCase()];
  if (rest.length > 1) terms.push(rest[0]!.toUpperCase());
  if (rest.length > 2) terms.push(rest.slice(1, -1).join(' ').replace(/-/g, ' '));
  return unique(terms);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter(Boolean))];
}

export function venueName(v: Venue): string {
  return v === 'polymarket' ? 'Polymarket' : 'Kalshi';
}
