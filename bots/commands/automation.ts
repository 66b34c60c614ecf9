/**
 * Sniper orders and take-profit / stop-loss from chat (issue 5): the parsers of /snipe, /snipers,
 * /unsnipe, /tp and /sl (and of "tp 60c sl 30c" on /buy), their handlers and their presenters.
 *
 *   /snipe <market> <yes|no> $<amount> @<price> [slippage 3%] [for 2h|until 2026-12-01|expires 30m] [repeat] [on <venue>]
 *   /snipe cancel <id> · /unsnipe <id> · /snipers [all|<id>]
 *   /tp <market> <yes|no> @<price>|off [on <venue>] · /tp <position id> @<price>|off · /sl likewise
 *
 * Arming a sniper moves no money but will place a buy later without asking again, so it is confirmed
 * like /buy (same store, same buttons, same 60 s). TP/SL only changes levels on a position the user
 * already holds; it is applied at once and the reply says exactly what is set.
 */
import type { CreateSniperInput, SniperView } from '../../core/automation/types.ts';
import type { Outcome, Venue } from '../../core/exchanges/types.ts';
import { Decimal, ONE, cents, fmt, roundToStep, usd } from '../../core/money.ts';
import { TradingError, type MarketSummary, type OrderView, type PositionView } from '../../core/trading/types.ts';
import type { AutomationCommand, ExpirySpec, SnipeCommand, SnipersCommand, TpslCommand, TpslTarget, UnsnipeCommand } from './automation-specs.ts';
import { confirmButtonId, type Confirmation } from './confirm.ts';
import type { Caller, HandlerEnv, PendingTrade } from './env.ts';
import { describeError } from './errors.ts';
import { clip, priceOrDash, shares, shortId, upper } from './format.ts';
import { resolveMarket } from './lookup.ts';
import { errorReply, textReply, type Reply } from './replies.ts';
import type { Token } from './tokenize.ts';
import { isUnitWord, readMarketRef, readOutcome, readPrice, readSize, readVenue, type MarketRef } from './values.ts';

export type { AutomationCommand } from './automation-specs.ts';

// ---------------------------------------------------------------------------------------------
// Parsing (pure)
// ---------------------------------------------------------------------------------------------

export type AutomationParse = { ok: true; command: AutomationCommand } | { ok: false; problem: string; tryThis: string[] };

class Problem extends Error {
  constructor(
    message: string,
    readonly tryThis: string[],
  ) {
    super(message);
  }
}

function fail(problem: string, tryThis: string | string[]): never {
  throw new Problem(problem, Array.isArray(tryThis) ? tryThis : [tryThis]);
}

/** Parses the arguments of an automation command; the grammar turns a problem into "… Try: …". */
export function parseAutomation(name: AutomationCommand['name'], args: Token[]): AutomationParse {
  try {
    switch (name) {
      case 'snipe':
        return { ok: true, command: parseSnipe(args) };
      case 'snipers':
        return { ok: true, command: parseSnipers(args.map((t) => t.value)) };
      case 'unsnipe':
        return { ok: true, command: parseUnsnipe(args.map((t) => t.value), '/unsnipe') };
      case 'tp':
      case 'sl':
        return { ok: true, command: parseTpsl(name, args) };
    }
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.message, tryThis: err.tryThis };
    throw err;
  }
}

const ID_RE = /^[0-9a-f][0-9a-f-]*$/i;

/** A sniper or position id as typed: the full id or at least 6 of its first characters ("#" allowed). */
function readId(words: string[], cmd: string, what: 'sniper' | 'position', listCmd: string, sample = `${cmd} 1a2b3c4d`): string {
  if (words.length === 0) fail(`Which ${what}? Give its id from ${listCmd}.`, sample);
  if (words.length > 1) fail(`${cmd} takes one ${what} id; you gave ${words.length} words.`, sample);
  const raw = words[0]!;
  const id = raw.trim().replace(/^#/, '').toLowerCase();
  if (!ID_RE.test(id) || id.length > 36) fail(`${JSON.stringify(raw)} is not a ${what} id (ids look like 1a2b3c4d, as ${listCmd} shows them).`, sample);
  if (id.replace(/-/g, '').length < 6) fail(`Give at least 6 characters of the ${what} id (you gave ${JSON.stringify(raw)}).`, sample);
  return id;
}

function parseSnipers(words: string[]): SnipersCommand {
  if (words.length === 0) return { name: 'snipers', scope: 'active' };
  const w = words[0]!.toLowerCase();
  if (words.length === 1 && ['active', 'open', 'watching', 'armed'].includes(w)) return { name: 'snipers', scope: 'active' };
  if (words.length === 1 && ['all', 'history', 'recent'].includes(w)) return { name: 'snipers', scope: 'all' };
  if (/^#?[0-9a-f]/i.test(w) && words.length === 1 && ID_RE.test(w.replace(/^#/, ''))) {
    return { name: 'snipers', scope: 'all', id: readId(words, '/snipers', 'sniper', '/snipers all') };
  }
  fail(`I don't know ${JSON.stringify(words.join(' '))} here: /snipers shows the watching ones, /snipers all every one, /snipers <id> one in detail.`, ['/snipers', '/snipers all', '/snipers 1a2b3c4d']);
}

function parseUnsnipe(words: string[], cmd: string): UnsnipeCommand {
  return { name: 'unsnipe', id: readId(words, cmd, 'sniper', '/snipers') };
}

/** The last unquoted yes/no: everything before it names the market (as in /buy). */
function outcomeIndex(args: Token[]): number {
  for (let i = args.length - 1; i >= 0; i--) if (!args[i]!.quoted && readOutcome(args[i]!.value)) return i;
  return -1;
}

function marketHint(ref: MarketRef | undefined): string {
  if (!ref || ref.link || ref.text.length > 32) return 'fed-cut';
  return /\s|\b(yes|no|y|n)\b/i.test(ref.text) ? `"${ref.text}"` : ref.text;
}

/**
 * readPrice plus one guard: a bare number of 1 or more with a decimal point ("1.2", "1.50") reads as
 * cents in /buy, but here (a level that may fire much later) it is more likely a mistaken dollar
 * price above $1, so it is refused with both readings spelled out.
 */
function readLevelPrice(raw: string): ReturnType<typeof readPrice> {
  const w = raw.trim().replace(/^@\s*/, '');
  if (/^\d+\.\d+$/.test(w) && new Decimal(w).gte(1)) {
    return { ok: false, problem: `${JSON.stringify(raw)} is not a price between 0 and 1. Write dollars below $1 like 0.42, or cents like ${w}c.` };
  }
  return readPrice(raw);
}

/**
 * A price after "@" / "at" (or a bare cents form like "42c"), starting at rest[i].
 * Returns the price and the index after it, or null when rest[i] is not a price.
 */
function readAtPrice(rest: string[], i: number, sample: string): { price: Decimal; next: number } | null {
  const w = rest[i]!;
  const lw = w.toLowerCase();
  let raw: string | undefined;
  let next: number;
  if (lw.startsWith('@') || lw === 'at') {
    raw = lw === '@' || lw === 'at' ? rest[i + 1] : w;
    next = lw === '@' || lw === 'at' ? i + 2 : i + 1;
  } else if (/^\d+(\.\d+)?\s*(c|¢|cents?)$/i.test(w)) {
    raw = w;
    next = i + 1;
  } else {
    return null;
  }
  if (raw !== undefined && rest[next] !== undefined && /^(c|¢|cents?)$/i.test(rest[next]!)) raw += rest[next++]!;
  if (raw === undefined) fail('The price is missing after "@". Write it as 0.42 or 42c.', sample);
  const p = readLevelPrice(raw);
  if (!p.ok) fail(p.problem, sample);
  return { price: p.value, next };
}

const MAX_SLIPPAGE = new Decimal('0.5');
const HUNDRED = new Decimal(100);

/** "3%", "2.5%", "3 %", "3 percent": a percentage from 0 to 50, at most 2 decimal places. */
function readSlippage(rest: string[], i: number, sample: string): { slippage: Decimal; next: number } {
  let raw = rest[i];
  let next = i + 1;
  if (raw === undefined) fail('How much slippage? Write it as a percentage, e.g. slippage 3%.', sample);
  if (rest[next] !== undefined && /^(%|percent|pct)$/i.test(rest[next]!)) raw += '%';
  if (raw.endsWith('%') && /^(%|percent|pct)$/i.test(rest[next] ?? '')) next++;
  const m = /^(-?\d+(?:\.\d+)?)\s*(%|percent|pct)$/i.exec(raw);
  if (!m) {
    if (/^-?\d+(\.\d+)?$/.test(raw)) fail(`Write slippage as a percentage: "${raw}%" (you wrote ${JSON.stringify(raw)}).`, sample);
    fail(`I couldn't read ${JSON.stringify(raw)} as slippage. Write it as a percentage such as 3%.`, sample);
  }
  const pct = new Decimal(m[1]!);
  if (pct.isNegative()) fail(`Slippage can't be negative (you wrote ${JSON.stringify(raw)}); use 0% for no worse than the trigger.`, sample);
  if ((m[1]!.split('.')[1] ?? '').length > 2) fail(`Slippage has at most 2 decimal places, e.g. 2.5% (you wrote ${JSON.stringify(raw)}).`, sample);
  const slippage = pct.div(HUNDRED);
  if (slippage.gt(MAX_SLIPPAGE)) fail(`Slippage can be at most 50% (you wrote ${JSON.stringify(raw)}).`, sample);
  return { slippage, next };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const MIN_EXPIRY_MS = 60_000;
const MAX_EXPIRY_MS = 366 * 86_400_000;

function unitOf(word: string): string | null {
  const w = word.toLowerCase();
  if (/^(s|sec|secs|seconds?)$/.test(w)) return 's';
  if (/^(m|min|mins|minutes?)$/.test(w)) return 'm';
  if (/^(h|hr|hrs|hours?)$/.test(w)) return 'h';
  if (/^(d|days?)$/.test(w)) return 'd';
  if (/^(w|wk|wks|weeks?)$/.test(w)) return 'w';
  return null;
}

/** "2h", "30m", "1h30m", "3d", "2 hours": milliseconds, or null when it is not a duration. */
export function readDuration(raw: string): number | null {
  const s = raw.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?\s*[a-z]+)+$/.test(s)) return null;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)) {
    const unit = unitOf(m[2]!);
    if (!unit) return null;
    ms += Number(m[1]) * UNIT_MS[unit]!;
  }
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2}))?)?(z|[+-]\d{2}:?\d{2})?$/i;

/** "2026-12-01" (00:00 UTC), "2026-12-01T18:00", "2026-12-01T18:00Z", "2026-12-01T18:00+02:00": a Date, or null. */
export function readDateTime(raw: string): Date | null {
  const m = DATE_RE.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}${!zone || zone.toLowerCase() === 'z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  // Reject dates JS rolls over (2026-02-30 → March 2).
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  return at;
}

/** Expiry after "for" / "until" / "expires" at rest[i] (the keyword). */
function readExpiry(rest: string[], i: number, sample: string): { expiry: ExpirySpec; next: number } {
  const kw = rest[i]!.toLowerCase();
  let raw = rest[i + 1];
  let next = i + 2;
  const forms = `for 2h, for 30m, until 2026-12-01 or until 2026-12-01T18:00Z`;
  if (raw === undefined) fail(`When should it expire? Say ${forms}.`, sample);
  // "2 hours" and "2026-12-01 18:00" come as two words.
  if (rest[next] !== undefined && /^\d+(\.\d+)?$/.test(raw) && unitOf(rest[next]!)) raw += rest[next++]!;
  else if (rest[next] !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(raw) && /^\d{2}:\d{2}(:\d{2})?(z|[+-]\d{2}:?\d{2})?$/i.test(rest[next]!)) raw += `T${rest[next++]!}`;
  if (rest[next] !== undefined && /^(utc|gmt)$/i.test(rest[next]!)) next++;
  const wantsDate = kw === 'until' || kw === 'till' || kw === 'by';
  const wantsDuration = kw === 'for' || kw === 'in';
  if (!wantsDate) {
    const ms = readDuration(raw);
    if (ms !== null) {
      if (ms < MIN_EXPIRY_MS) fail(`An expiry must be at least 1 minute away (you wrote ${JSON.stringify(raw)}).`, sample);
      if (ms > MAX_EXPIRY_MS) fail(`An expiry can be at most a year away (you wrote ${JSON.stringify(raw)}); leave it out for no expiry.`, sample);
      return { expiry: { kind: 'in', ms, text: raw }, next };
    }
    if (wantsDuration) {
      if (/^-/.test(raw)) fail(`A duration can't be negative (you wrote ${JSON.stringify(raw)}).`, sample);
      fail(`I couldn't read ${JSON.stringify(raw)} as a duration. Write it like 30m, 2h, 3d or 1w (or use until 2026-12-01).`, sample);
    }
  }
  const at = readDateTime(raw);
  if (!at) fail(`I couldn't read ${JSON.stringify(raw)} as a date. Write it as 2026-12-01 or 2026-12-01T18:00Z (UTC), or a duration like for 2h.`, sample);
  return { expiry: { kind: 'at', at, text: raw }, next };
}

const CANCEL_WORDS = new Set(['cancel', 'stop', 'remove', 'delete', 'rm', 'off', 'disarm']);
const LIST_WORDS = new Set(['list', 'ls', 'show', 'all']);

function parseSnipe(args: Token[]): SnipeCommand | SnipersCommand | UnsnipeCommand {
  const examples = ['/snipe fed-cut yes $25 @42c', '/snipe fed-cut yes $25 @42c slippage 3% for 2h repeat'];
  if (args.length === 0) fail('What should the sniper buy? Give the market, yes or no, the $ amount and the @trigger price.', examples);
  const first = args[0]!.quoted ? '' : args[0]!.value.toLowerCase();
  if (CANCEL_WORDS.has(first)) return parseUnsnipe(args.slice(1).map((t) => t.value), '/snipe cancel');
  if (LIST_WORDS.has(first) && args.length === 1) return { name: 'snipers', scope: first === 'all' ? 'all' : 'active' };

  const o = outcomeIndex(args);
  if (o < 0) fail('Say which side to buy, yes or no, after the market.', examples);
  if (o === 0) fail('Which market? Put it before yes/no.', examples);
  const ref = readMarketRef(args.slice(0, o).map((t) => t.value));
  if (!ref.ok) fail(ref.problem, examples);
  const market = ref.value;
  const side = readOutcome(args[o]!.value)!;
  const m = marketHint(market);
  const sample = `/snipe ${m} ${side} $25 @42c`;
  const full = `/snipe ${m} ${side} $25 @42c slippage 3% for 2h`;

  const rest = args.slice(o + 1).map((t) => t.value);
  let amount: Decimal | undefined;
  let triggerPrice: Decimal | undefined;
  let slippage: Decimal | undefined;
  let expiry: ExpirySpec | undefined;
  let repeat = false;
  let venue: Venue | undefined;
  let i = 0;
  while (i < rest.length) {
    const w = rest[i]!;
    const lw = w.toLowerCase();
    const price = readAtPrice(rest, i, sample);
    if (price) {
      if (triggerPrice) fail('Give one trigger price only.', sample);
      triggerPrice = price.price;
      i = price.next;
      continue;
    }
    if (lw === 'slippage' || lw === 'slip' || lw === 'slippage:' || lw === 'slip:') {
      if (slippage) fail('Give the slippage once.', full);
      const s = readSlippage(rest, i + 1, full);
      slippage = s.slippage;
      i = s.next;
      continue;
    }
    if (/^(for|until|till|by|expires?|expiry|exp|in)$/.test(lw)) {
      if (expiry) fail('Give one expiry only.', full);
      const e = readExpiry(rest, i, full);
      expiry = e.expiry;
      i = e.next;
      continue;
    }
    if (lw === 'repeat' || lw === 'repeating' || lw === 'again') {
      repeat = true;
      i++;
      continue;
    }
    if (lw === 'on' || lw === 'via') {
      const v = rest[i + 1] ? readVenue(rest[i + 1]!) : null;
      if (!v) {
        fail(rest[i + 1] ? `I don't know the venue ${JSON.stringify(rest[i + 1])}; yesno trades on polymarket and kalshi.` : 'Which venue? Say "on polymarket" or "on kalshi".', `${sample} on kalshi`);
      }
      if (venue && venue !== v) fail('Give one venue only.', `${sample} on kalshi`);
      venue = v;
      i += 2;
      continue;
    }
    if (lw === 'polymarket' || lw === 'kalshi') {
      venue = lw;
      i++;
      continue;
    }
    if (lw.startsWith('$') || /^-?\d/.test(lw) || /^-\$/.test(lw)) {
      let raw = w;
      let next = i + 1;
      if (raw === '$' && rest[next] !== undefined) raw += rest[next++]!;
      if (/^(\$\s*-|-\s*\$)/.test(raw)) fail(`The amount must be more than zero (you wrote ${JSON.stringify(raw)}).`, sample);
      const unit = rest[next] !== undefined ? isUnitWord(rest[next]!) : null;
      if (unit) next++;
      const size = readSize(raw, unit);
      if (!size.ok) fail(size.problem, sample);
      if (size.value.kind !== 'usd') {
        fail(
          /^\d*\.\d+$/.test(raw) && new Decimal(raw).lt(1)
            ? `Put @ before the trigger price (@${raw}), and give the amount in dollars like $25.`
            : `A sniper spends dollars: write the amount as $${raw.replace(/\s*(shares?|sh|contracts?)$/i, '')} (a plain number would be shares).`,
          sample,
        );
      }
      if (amount) fail('Give one amount only.', sample);
      amount = size.value.amount;
      i = next;
      continue;
    }
    fail(`I didn't understand ${JSON.stringify(rest.slice(i).join(' '))}.`, [sample, full, `${sample} until 2026-12-01 repeat`]);
  }
  if (!amount && !triggerPrice) fail('How much, and at what price? Give the dollars to spend ($25) and the trigger price (@42c).', sample);
  if (!amount) fail('How much should it spend when it fires? Give dollars like $25.', sample);
  if (!triggerPrice) fail('At what price should it buy? Add the trigger price: @42c fires when the ask is 42¢ or lower.', sample);
  return {
    name: 'snipe',
    market,
    side,
    amount,
    triggerPrice,
    ...(slippage !== undefined ? { slippage } : {}),
    ...(expiry ? { expiry } : {}),
    repeat,
    ...(venue ? { venue } : {}),
  };
}

const OFF_WORDS = new Set(['off', 'clear', 'none', 'remove', 'delete', 'cancel', 'disable', 'unset']);
const POSITION_ID_RE = /^#[0-9a-f][0-9a-f-]{5,35}$|^(?=[0-9a-f-]*\d)[0-9a-f][0-9a-f-]{5,35}$/i;

function parseTpsl(name: 'tp' | 'sl', args: Token[]): TpslCommand {
  const lvl = name === 'tp' ? '60c' : '30c';
  const what = name === 'tp' ? 'take-profit' : 'stop-loss';
  const examples = [`/${name} fed-cut yes @${lvl}`, `/${name} fed-cut yes off`, `/${name} #1a2b3c4d @${lvl}`];
  if (args.length === 0) fail(`Which position, and at what price? Give the market and side (or a position id from /positions) and @<price>, or off to remove the ${what}.`, examples);

  let target: TpslTarget;
  let rest: string[];
  const o = outcomeIndex(args);
  // "#…" is always meant as a position id (readId then says what is wrong with it).
  const firstIsId = !args[0]!.quoted && (args[0]!.value.startsWith('#') || POSITION_ID_RE.test(args[0]!.value));
  if (firstIsId && (o < 0 || o === 1)) {
    const id = readId([args[0]!.value], `/${name}`, 'position', '/positions', `/${name} #1a2b3c4d @${lvl}`);
    target = { kind: 'position', id, ...(o === 1 ? { side: readOutcome(args[1]!.value)! } : {}) };
    rest = args.slice(o === 1 ? 2 : 1).map((t) => t.value);
  } else {
    if (o < 0) fail('Say which side you hold, yes or no, after the market (or give the position id from /positions).', examples);
    if (o === 0) fail('Which market? Put it before yes/no (or give the position id from /positions).', examples);
    const ref = readMarketRef(args.slice(0, o).map((t) => t.value));
    if (!ref.ok) fail(ref.problem, examples);
    target = { kind: 'market', market: ref.value, side: readOutcome(args[o]!.value)! };
    rest = args.slice(o + 1).map((t) => t.value);
  }
  const hint = target.kind === 'market' ? `/${name} ${marketHint(target.market)} ${target.side}` : `/${name} #${target.id.slice(0, 8)}`;
  const sample = `${hint} @${lvl}`;

  let price: Decimal | null | undefined;
  let venue: Venue | undefined;
  let i = 0;
  while (i < rest.length) {
    const w = rest[i]!;
    const lw = w.toLowerCase();
    if (OFF_WORDS.has(lw)) {
      if (price !== undefined) fail('Give one level only: a price, or off.', [sample, `${hint} off`]);
      price = null;
      i++;
      continue;
    }
    if (lw === 'on' || lw === 'via' || lw === 'polymarket' || lw === 'kalshi') {
      const name2 = lw === 'on' || lw === 'via' ? rest[i + 1] : w;
      const v = name2 ? readVenue(name2) : null;
      if (!v) fail(name2 ? `I don't know the venue ${JSON.stringify(name2)}; yesno trades on polymarket and kalshi.` : 'Which venue? Say "on polymarket" or "on kalshi".', `${sample} on kalshi`);
      if (target.kind === 'position') fail('A position id already says which venue; leave out "on …".', sample);
      venue = v;
      i += lw === 'on' || lw === 'via' ? 2 : 1;
      continue;
    }
    let at = readAtPrice(rest, i, sample);
    if (!at && /^-?\d*\.?\d+$/.test(lw)) {
      // A bare price ("/tp fed-cut yes 0.6") reads like /buy's: 0.6 or 60 (cents).
      const p = readLevelPrice(w);
      if (!p.ok) fail(p.problem, sample);
      at = { price: p.value, next: i + 1 };
    }
    if (at) {
      if (price !== undefined) fail('Give one level only: a price, or off.', [sample, `${hint} off`]);
      price = at.price;
      i = at.next;
      continue;
    }
    fail(`I didn't understand ${JSON.stringify(rest.slice(i).join(' '))}.`, [sample, `${hint} off`]);
  }
  if (price === undefined) fail(`At what price? Give @<price> to set the ${what}, or off to remove it.`, [sample, `${hint} off`]);
  if (target.kind === 'market' && venue) target = { ...target, venue };
  return { name, target, price };
}

/** One level on /buy: "tp 60c", "tp @0.6", "sl 30c", "stop-loss 30c". Null when rest[i] is not tp/sl. */
export function readBuyLevel(rest: string[], i: number): { kind: 'tp' | 'sl'; price: Decimal; next: number } | { problem: string } | null {
  const lw = rest[i]!.toLowerCase().replace(/:$/, '');
  const kind = ['tp', 'takeprofit', 'take-profit'].includes(lw) ? 'tp' : ['sl', 'stoploss', 'stop-loss'].includes(lw) ? 'sl' : null;
  if (!kind) return null;
  let raw = rest[i + 1];
  let next = i + 2;
  if (raw === '@' || raw?.toLowerCase() === 'at') raw = rest[next++];
  if (raw !== undefined && rest[next] !== undefined && /^(c|¢|cents?)$/i.test(rest[next]!)) raw += rest[next++]!;
  const label = kind === 'tp' ? 'take-profit' : 'stop-loss';
  if (raw === undefined) return { problem: `The ${label} price is missing after "${rest[i]}". Write it as ${kind} 60c or ${kind} 0.6.` };
  const p = readLevelPrice(raw);
  if (!p.ok) return { problem: `${label}: ${p.problem}` };
  return { kind, price: p.value, next };
}

// ---------------------------------------------------------------------------------------------
// Presenters (pure)
// ---------------------------------------------------------------------------------------------

export const DEFAULT_SLIPPAGE = new Decimal('0.02');

function pctText(fraction: Decimal): string {
  return `${fmt(fraction.mul(HUNDRED), 2)}%`;
}

/** "2026-12-01 18:00 UTC". */
export function utcText(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2h 30m", "3d 4h", "45m", "under a minute". */
export function durationText(ms: number): string {
  if (ms < 60_000) return 'under a minute';
  const mins = Math.round(ms / 60_000);
  const d = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', m && !d ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}

/** The worst price a sniper may buy at: trigger × (1 + slippage), before the venue's tick rounding. */
export function worstPrice(trigger: Decimal, slippage: Decimal): Decimal {
  return trigger.mul(ONE.add(slippage));
}

function worstText(trigger: Decimal, slippage: Decimal, ticks: Decimal[] = []): string {
  const w = worstPrice(trigger, slippage);
  if (w.gte(1)) return 'just under $1 (capped)';
  // The order's limit is rounded DOWN to the venue's tick; when every watched venue has the same tick, show the result.
  const tick = ticks[0];
  if (tick && ticks.every((t) => t.eq(tick))) {
    const rounded = roundToStep(w, tick, 'down');
    if (!rounded.eq(w)) return `${cents(rounded)} [${cents(w)} rounded down to the ${cents(tick)} tick]`;
  }
  return cents(w);
}

function askOf(v: MarketSummary['venues'][number], side: Outcome): Decimal | null {
  if (side === 'yes') return v.yesAsk;
  return v.yesBid ? ONE.sub(v.yesBid) : null;
}

/** The summary shown before a sniper is armed: trigger, worst price, amount, expiry, repeat. */
export function presentSniperPlan(args: { input: CreateSniperInput; market: MarketSummary; now: Date; ttlSec?: number }): string {
  const { input, market, now } = args;
  const slip = input.slippage ?? DEFAULT_SLIPPAGE;
  const side = upper(input.side);
  const ticks = market.venues.filter((v) => !input.exchange || v.venue === input.exchange).map((v) => v.tickSize);
  const lines = [
    `${args.ttlSec !== undefined ? 'Arm this sniper? ' : ''}Buy ${usd(input.amount)} of ${side} when the ${side} ask is ${cents(input.triggerPrice)} or lower`,
    `  ${market.title}`,
    `  trigger ${cents(input.triggerPrice)} · worst price ${worstText(input.triggerPrice, slip, ticks)} (${pctText(slip)} slippage${input.slippage ? '' : ', the default'})`,
    `  amount ${usd(input.amount)}, spent only when it fires · ${input.exchange ? `on ${input.exchange} only` : 'on whichever venue has the lowest ask'}`,
    `  ${input.expiresAt ? `expires ${utcText(input.expiresAt)} (in ${durationText(input.expiresAt.getTime() - now.getTime())})` : 'no expiry: it watches until it fires or you /unsnipe it'}`,
    `  ${input.repeat ? 'repeats: after each fill it re-arms once the ask has risen back above the trigger' : 'fires once'}`,
  ];
  const watched = market.venues.filter((v) => !input.exchange || v.venue === input.exchange);
  const asks = watched.map((v) => ({ venue: v.venue, ask: askOf(v, input.side) }));
  if (asks.length) lines.push(`  ${side} ask now: ${asks.map((a) => `${a.venue} ${priceOrDash(a.ask)}`).join(' · ')}`);
  if (asks.some((a) => a.ask && a.ask.lte(input.triggerPrice))) lines.push('  note: the ask is already at or below the trigger, so it would fire on the next price update');
  if (args.ttlSec !== undefined) lines.push(`Nothing is spent now. Confirm within ${args.ttlSec}s to arm it, or cancel.`);
  return lines.join('\n');
}

function sniperSummary(s: SniperView): string {
  const side = upper(s.side);
  return `buy ${usd(s.amount)} of ${side} when the ask is ≤ ${cents(s.triggerPrice)} (worst ${worstText(s.triggerPrice, s.slippage)})`;
}

/** The reply once a sniper is armed. */
export function presentSniperCreated(s: SniperView): string {
  const id = shortId(s.id);
  return [
    `Sniper ${id} armed: ${sniperSummary(s)}${s.exchange ? ` on ${s.exchange}` : ''}.`,
    `  ${s.marketTitle}`,
    `  ${s.expiresAt ? `expires ${utcText(s.expiresAt)}` : 'no expiry'} · ${s.repeat ? 'repeats after each fill' : 'fires once'}`,
    `You'll get a message when it fires. /snipers lists yours; /unsnipe ${id} cancels it.`,
  ].join('\n');
}

const ACTIVE_STATUSES = ['WATCHING', 'EXECUTING'] as const;

/** /snipers: one line per sniper. */
export function presentSnipers(snipers: SniperView[], scope: 'active' | 'all'): string {
  if (snipers.length === 0) {
    return scope === 'active'
      ? 'No snipers are watching. Arm one: /snipe fed-cut yes $25 @42c  (/snipers all shows earlier ones)'
      : 'You have no snipers yet. Arm one: /snipe fed-cut yes $25 @42c';
  }
  const lines = [scope === 'active' ? `Your snipers (${snipers.length} watching):` : `Your snipers (${snipers.length}):`];
  for (const s of snipers) {
    const extras = [
      `slip ${pctText(s.slippage)}`,
      s.exchange ? `on ${s.exchange}` : '',
      s.expiresAt ? `expires ${utcText(s.expiresAt)}` : '',
      s.repeat ? 'repeat' : '',
      s.fireCount > 0 ? `fired ${s.fireCount}×` : '',
      s.paused ? 'paused (stale prices)' : '',
    ].filter(Boolean);
    lines.push(`${shortId(s.id)}  ${s.status.toLowerCase().padEnd(9)} ${upper(s.side)} ≤ ${cents(s.triggerPrice)} · ${usd(s.amount)} · ${extras.join(' · ')} · ${clip(s.marketTitle, 40)}`);
  }
  const first = shortId(snipers[0]!.id);
  lines.push(`Details: /snipers ${first}${snipers.some((s) => s.status === 'WATCHING') ? ` · cancel: /unsnipe ${shortId(snipers.find((s) => s.status === 'WATCHING')!.id)}` : ''}`);
  return lines.join('\n');
}

/** /snipers <id>: every field, and the orders it placed. */
export function presentSniperDetail(s: SniperView): string {
  const id = shortId(s.id);
  const lines = [
    `Sniper ${id} · ${s.status.toLowerCase()}${s.paused ? ' (paused: market data is stale; it resumes on fresh prices)' : ''}`,
    `  ${s.marketTitle}`,
    `  ${sniperSummary(s)}${s.exchange ? ` on ${s.exchange}` : ''}`,
    `  slippage ${pctText(s.slippage)} · ${s.expiresAt ? `expires ${utcText(s.expiresAt)}` : 'no expiry'} · ${s.repeat ? 'repeats' : 'fires once'} · fired ${s.fireCount}×`,
  ];
  if (s.failureReason) lines.push(`  ${s.status === 'FAILED' ? 'why' : 'note'}: ${s.failureReason}`);
  lines.push(`  armed ${utcText(s.createdAt)} · id ${s.id}`);
  if (s.orderIds.length) lines.push(`  orders: ${s.orderIds.map((o) => `${shortId(o)} (/order ${shortId(o)})`).join(', ')}`);
  if (s.status === 'WATCHING') lines.push(`/unsnipe ${id} cancels it.`);
  return lines.join('\n');
}

function levelsText(p: { takeProfitPrice: Decimal | null; stopLossPrice: Decimal | null }): string {
  return `take-profit ${p.takeProfitPrice ? cents(p.takeProfitPrice) : 'none'} · stop-loss ${p.stopLossPrice ? cents(p.stopLossPrice) : 'none'}`;
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/** The canonical text of a /snipe, for "send it again" hints. */
export function snipeText(cmd: SnipeCommand, market?: Pick<MarketSummary, 'slug'>): string {
  const m = market?.slug ?? marketHint(cmd.market);
  const parts = [`/snipe ${m} ${cmd.side} $${fmt(cmd.amount, 2)} @${cents(cmd.triggerPrice).replace('¢', 'c')}`];
  if (cmd.slippage !== undefined) parts.push(`slippage ${pctText(cmd.slippage)}`);
  if (cmd.expiry) parts.push(cmd.expiry.kind === 'in' ? `for ${cmd.expiry.text}` : `until ${cmd.expiry.text}`);
  if (cmd.repeat) parts.push('repeat');
  if (cmd.venue) parts.push(`on ${cmd.venue}`);
  return parts.join(' ');
}

/** Runs /snipe, /snipers, /unsnipe, /tp and /sl for a known caller. Errors propagate; the dispatcher words them. */
export async function runAutomationCommand(env: HandlerEnv, caller: Caller, cmd: AutomationCommand): Promise<Reply[]> {
  switch (cmd.name) {
    case 'snipe':
      return startSnipe(env, caller, cmd);
    case 'snipers':
      return listSnipers(env, caller, cmd);
    case 'unsnipe': {
      const id = await resolveSniperId(env, caller.user.id, cmd.id);
      const s = await env.services.automation.cancelSniper({ userId: caller.user.id, sniperId: id });
      return [textReply(`Sniper ${shortId(s.id)} cancelled; it will not buy. (It was: ${sniperSummary(s)}, ${clip(s.marketTitle, 60)}.)`, { ephemeral: true })];
    }
    case 'tp':
    case 'sl':
      return setLevel(env, caller, cmd);
  }
}

async function startSnipe(env: HandlerEnv, caller: Caller, cmd: SnipeCommand): Promise<Reply[]> {
  const market = await resolveMarket(env.services.markets, cmd.market);
  const retry = snipeText(cmd, market);
  if (market.status !== 'open') {
    throw new TradingError('market_closed', `${market.title} is ${market.status}; a sniper needs an open market. Find one with /markets.`);
  }
  if (cmd.venue && !market.venues.some((v) => v.venue === cmd.venue)) {
    throw new TradingError(
      'venue_not_listed',
      `${market.title} is not listed on ${cmd.venue}; it trades on ${market.venues.map((v) => v.venue).join(' and ') || 'no venue right now'}.`,
    );
  }
  const now = new Date();
  let expiresAt: Date | undefined;
  if (cmd.expiry) {
    expiresAt = cmd.expiry.kind === 'in' ? new Date(now.getTime() + cmd.expiry.ms) : cmd.expiry.at;
    if (expiresAt.getTime() <= now.getTime()) {
      throw new TradingError(
        'invalid_input',
        `That expiry (${utcText(expiresAt)}) is already past; it is ${utcText(now)} now. Give a later one, e.g. ${retry.replace(/ (until|for) \S+/, '')} for 2h`,
      );
    }
  }
  // At the trigger the amount must buy a venue's minimum size, or every fire would fail.
  const eligible = market.venues.filter((v) => !cmd.venue || v.venue === cmd.venue);
  if (eligible.length > 0) {
    const minSize = eligible.map((v) => v.minSize).reduce((a, b) => (a.lt(b) ? a : b));
    const buys = cmd.amount.div(cmd.triggerPrice);
    if (buys.lt(minSize)) {
      throw new TradingError(
        'below_minimum',
        `${usd(cmd.amount)} at ${cents(cmd.triggerPrice)} buys about ${shares(buys)} shares; this market's minimum is ${fmt(minSize)} shares (at least ${usd(minSize.mul(cmd.triggerPrice))} at that price). Try: ${retry.replace(/\$[\d.]+/, `$${fmt(minSize.mul(cmd.triggerPrice).toDecimalPlaces(0, Decimal.ROUND_UP).add(1), 0)}`)}`,
      );
    }
  }
  const max = caller.user.maxOrderUsd;
  if (max && cmd.amount.gt(max)) {
    throw new TradingError('max_order_size', `${usd(cmd.amount)} is above your maximum order of ${usd(max)}; a sniper places one order for its whole amount.`);
  }
  const input: CreateSniperInput = {
    userId: caller.user.id,
    marketId: market.id,
    side: cmd.side,
    triggerPrice: cmd.triggerPrice,
    amount: cmd.amount,
    ...(cmd.slippage !== undefined ? { slippage: cmd.slippage } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    repeat: cmd.repeat,
    ...(cmd.venue ? { exchange: cmd.venue } : {}),
  };
  const threshold = caller.user.skipConfirmBelowUsd;
  if (env.skipConfirm || (threshold && cmd.amount.lt(threshold))) {
    const s = await env.services.automation.createSniper(input);
    return [textReply(presentSniperCreated(s), { ephemeral: true })];
  }
  const ttlSec = Math.round(env.confirmations.ttlMs / 1000);
  const c = env.confirmations.create({
    owner: caller.owner,
    chatId: caller.ctx.chatId,
    payload: {
      // The buy it will place when it fires (for reference; Confirm creates the sniper, not this order).
      input: {
        userId: caller.user.id,
        marketId: market.id,
        side: cmd.side,
        action: 'buy',
        type: 'market',
        amount: cmd.amount,
        price: worstPrice(cmd.triggerPrice, cmd.slippage ?? DEFAULT_SLIPPAGE),
        ...(cmd.venue ? { exchange: cmd.venue } : {}),
      },
      retry,
      marketTitle: market.title,
      sniper: input,
    },
  });
  const short = c.id.slice(0, 8);
  return [
    {
      kind: 'confirm',
      text: presentSniperPlan({ input, market, now, ttlSec }),
      buttons: [
        [
          { id: confirmButtonId(c.id, 'ok'), label: 'Confirm', style: 'primary', command: `/confirm ${short}` },
          { id: confirmButtonId(c.id, 'no'), label: 'Cancel', style: 'danger', command: `/cancel ${short}` },
        ],
      ],
      editKey: `confirm:${c.id}`,
      ephemeral: true,
    },
  ];
}

/** Confirm on a /snipe: creates the sniper (once: the store's claim guarantees a single call). */
export async function createConfirmedSniper(env: HandlerEnv, c: Confirmation<PendingTrade>): Promise<Reply[]> {
  const editKey = `confirm:${c.id}`;
  try {
    const s = await env.services.automation.createSniper(c.payload.sniper!);
    return [{ kind: 'text', text: presentSniperCreated(s), editKey, buttons: [], ephemeral: true }];
  } catch (err) {
    if (!(err instanceof TradingError)) env.log?.error({ err, confirmation: shortId(c.id) }, 'arming a confirmed sniper failed');
    const text =
      err instanceof TradingError
        ? `${describeError(err, { command: 'snipe', example: c.payload.retry })} The sniper was not armed.`
        : 'Something went wrong on our side while arming the sniper; check /snipers before you try again.';
    return [errorReply(text, { editKey, buttons: [] })];
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Full sniper id from a full id or a unique prefix of at least 6 characters (dashes ignored). */
async function resolveSniperId(env: HandlerEnv, userId: string, idOrPrefix: string): Promise<string> {
  if (UUID_RE.test(idOrPrefix)) return idOrPrefix.toLowerCase();
  const prefix = idOrPrefix.replace(/-/g, '').toLowerCase();
  const all = await env.services.automation.listSnipers({ userId });
  const hits = all.filter((s) => s.id.replace(/-/g, '').toLowerCase().startsWith(prefix));
  if (hits.length === 1) return hits[0]!.id;
  if (hits.length === 0) throw new TradingError('order_not_found', `You have no sniper whose id starts with ${JSON.stringify(idOrPrefix)}. /snipers all lists yours.`);
  throw new TradingError(
    'invalid_input',
    `${JSON.stringify(idOrPrefix)} matches ${hits.length} of your snipers (${hits.slice(0, 3).map((s) => s.id.slice(0, 12)).join(', ')}…); give more characters of the id.`,
  );
}

async function listSnipers(env: HandlerEnv, caller: Caller, cmd: SnipersCommand): Promise<Reply[]> {
  const userId = caller.user.id;
  if (cmd.id) {
    const s = await env.services.automation.getSniper({ userId, sniperId: await resolveSniperId(env, userId, cmd.id) });
    return [textReply(presentSniperDetail(s), { ephemeral: true })];
  }
  const snipers = await env.services.automation.listSnipers({ userId, ...(cmd.scope === 'active' ? { status: [...ACTIVE_STATUSES] } : {}) });
  return [textReply(presentSnipers(snipers.slice(0, 30), cmd.scope), { ephemeral: true })];
}

/** The caller's open position a /tp or /sl is about (asks which venue when it is ambiguous). */
async function findPosition(env: HandlerEnv, caller: Caller, cmd: TpslCommand): Promise<PositionView> {
  const held = (await env.services.trading.listPositions({ userId: caller.user.id })).filter((p) => p.quantity.gt(0));
  const level = cmd.price ? `@${cents(cmd.price).replace('¢', 'c')}` : 'off';
  const t = cmd.target;
  if (t.kind === 'position') {
    const prefix = t.id.replace(/-/g, '');
    const hits = held.filter((p) => p.id.replace(/-/g, '').toLowerCase().startsWith(prefix));
    if (hits.length === 0) {
      throw new TradingError('no_position', `You have no open position whose id starts with ${JSON.stringify(t.id)}. /positions shows yours with their ids.`);
    }
    if (hits.length > 1) throw new TradingError('invalid_input', `${JSON.stringify(t.id)} matches ${hits.length} of your positions; give more characters of the id (see /positions).`);
    const p = hits[0]!;
    if (t.side && t.side !== p.side) {
      throw new TradingError('invalid_input', `Position #${shortId(p.id)} is ${upper(p.side)}, not ${upper(t.side)}. Try: /${cmd.name} #${shortId(p.id)} ${level}`);
    }
    return p;
  }
  const market = await resolveMarket(env.services.markets, t.market);
  const mine = held.filter((p) => p.marketId === market.id && p.side === t.side && (!t.venue || p.exchange === t.venue));
  const m = market.slug;
  if (mine.length === 0) {
    const other = held.filter((p) => p.marketId === market.id);
    const also = other.length ? ` You hold ${other.map((p) => `${upper(p.side)} on ${p.exchange}`).join(' and ')} there.` : '';
    throw new TradingError(
      'no_position',
      `You hold no ${upper(t.side)} shares of ${market.title}${t.venue ? ` on ${t.venue}` : ''}, so there is nothing for a ${cmd.name === 'tp' ? 'take-profit' : 'stop-loss'} to sell.${also} See /positions, or set it when buying: /buy ${m} ${t.side} $25 ${cmd.name} ${cmd.name === 'tp' ? '60c' : '30c'}`,
    );
  }
  if (mine.length > 1) {
    const where = mine.map((p) => `${p.exchange} (${shares(p.quantity)} shares)`).join(' and ');
    throw new TradingError(
      'invalid_input',
      `You hold ${upper(t.side)} of ${market.title} on ${where}. Say which: /${cmd.name} ${m} ${t.side} ${level} on ${mine[0]!.exchange}  or  /${cmd.name} ${m} ${t.side} ${level} on ${mine[1]!.exchange}`,
    );
  }
  return mine[0]!;
}

async function setLevel(env: HandlerEnv, caller: Caller, cmd: TpslCommand): Promise<Reply[]> {
  const p = await findPosition(env, caller, cmd);
  const tp = cmd.name === 'tp';
  const label = tp ? 'Take-profit' : 'Stop-loss';
  const other = tp ? p.stopLossPrice : p.takeProfitPrice;
  if (cmd.price && other) {
    if (tp && cmd.price.lte(other)) {
      throw new TradingError('invalid_input', `A take-profit of ${cents(cmd.price)} must be above your stop-loss of ${cents(other)} on this position. Pick a higher price, or move the stop-loss first with /sl.`);
    }
    if (!tp && cmd.price.gte(other)) {
      throw new TradingError('invalid_input', `A stop-loss of ${cents(cmd.price)} must be below your take-profit of ${cents(other)} on this position. Pick a lower price, or move the take-profit first with /tp.`);
    }
  }
  const res = await env.services.automation.setTpsl({
    userId: caller.user.id,
    positionId: p.id,
    ...(tp ? { takeProfitPrice: cmd.price } : { stopLossPrice: cmd.price }),
  });
  const where = `your ${shares(p.quantity)} ${upper(p.side)} shares of ${clip(p.marketTitle, 60)} on ${p.exchange}`;
  const lines: string[] = [];
  if (cmd.price) {
    lines.push(`${label} set at ${cents(cmd.price)} on ${where}: they sell when the bid ${tp ? 'rises to' : 'falls to'} ${cents(cmd.price)} or ${tp ? 'higher' : 'lower'}.`);
    lines.push(`Bid now ${priceOrDash(p.currentPrice)}.`);
  } else {
    lines.push(`${label} removed from ${where}.`);
  }
  lines.push(`Now: ${levelsText(res)} (position #${shortId(p.id)}).`);
  return [textReply(lines.join('\n'), { ephemeral: true })];
}

// ---------------------------------------------------------------------------------------------
// TP/SL on /buy: "… tp 60c sl 30c"
// ---------------------------------------------------------------------------------------------

export interface BuyLevels {
  takeProfitPrice?: Decimal;
  stopLossPrice?: Decimal;
}

function buyLevelsText(l: BuyLevels): string {
  return [l.takeProfitPrice ? `take-profit ${cents(l.takeProfitPrice)}` : '', l.stopLossPrice ? `stop-loss ${cents(l.stopLossPrice)}` : ''].filter(Boolean).join(' and ');
}

/** The line a buy's confirmation gets when it carries levels (inserted before "Confirm within …"). */
export function withBuyLevelsNote(quoteText: string, levels: BuyLevels | undefined): string {
  if (!levels || (!levels.takeProfitPrice && !levels.stopLossPrice)) return quoteText;
  const note = `  after it fills: ${buyLevelsText(levels)} on the position`;
  const lines = quoteText.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Confirm within'));
  if (at < 0) return `${quoteText}\n${note}`;
  lines.splice(at, 0, note);
  return lines.join('\n');
}

/**
 * After a buy with levels was placed: sets them on the resulting position when something filled,
 * and returns the line to add to the reply (never throws: the buy itself went through).
 */
export async function applyBuyLevels(env: HandlerEnv, order: OrderView, levels: BuyLevels | undefined): Promise<string> {
  if (!levels || (!levels.takeProfitPrice && !levels.stopLossPrice) || order.action !== 'buy') return '';
  const what = buyLevelsText(levels);
  const setLater = [
    levels.takeProfitPrice ? `/tp ${order.marketId} ${order.side} @${cents(levels.takeProfitPrice).replace('¢', 'c')}` : '',
    levels.stopLossPrice ? `/sl ${order.marketId} ${order.side} @${cents(levels.stopLossPrice).replace('¢', 'c')}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  if (order.filledQuantity.lte(0)) {
    return order.status === 'failed' || order.status === 'cancelled'
      ? `No ${what} was set: nothing was bought.`
      : `The ${what} is not set yet: nothing has filled. Once it fills, set it with ${setLater}.`;
  }
  try {
    const held = await env.services.trading.listPositions({ userId: order.userId });
    const p = held.find((x) => x.marketId === order.marketId && x.side === order.side && x.exchange === order.exchange && x.quantity.gt(0));
    if (!p) return `The ${what} is not set: I couldn't find the position yet. Set it with ${setLater}.`;
    const tp = levels.takeProfitPrice ?? p.takeProfitPrice;
    const sl = levels.stopLossPrice ?? p.stopLossPrice;
    if (tp && sl && tp.lte(sl)) {
      return `The ${what} is not set: the take-profit (${cents(tp)}) must be above the stop-loss (${cents(sl)}) on this position. Set them with /tp and /sl.`;
    }
    const res = await env.services.automation.setTpsl({
      userId: order.userId,
      positionId: p.id,
      ...(levels.takeProfitPrice ? { takeProfitPrice: levels.takeProfitPrice } : {}),
      ...(levels.stopLossPrice ? { stopLossPrice: levels.stopLossPrice } : {}),
    });
    return `Set on your ${shares(p.quantity)} ${upper(p.side)} shares on ${p.exchange}: ${levelsText(res)} (position #${shortId(p.id)}).`;
  } catch (err) {
    if (!(err instanceof TradingError)) env.log?.error({ err, order: order.id }, 'setting TP/SL after a buy failed');
    const why = err instanceof TradingError ? err.message : 'something went wrong on our side';
    return `The buy went through, but the ${what} could not be set (${why.replace(/\.$/, '')}). Set it with ${setLater}.`;
  }
}
