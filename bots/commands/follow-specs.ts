/**
 * The copy/counter-trading commands (issue 6): their parsed shapes, /help entries and parser.
 * commands.ts and grammar.ts include them; follow.ts runs them.
 *
 *   /counter <wallet> [x<multiplier>] [max $<n>] [delay <s>] [stop $<n>] [categories a,b]
 *   /copy    <wallet> [x<multiplier>] [max $<n>] [delay <s>] [stop $<n>] [categories a,b]
 *   /follows                      yours, with today's PnL and trade count
 *   /follows all                  stopped ones too
 *   /follows <id>                 one in detail
 *   /follows pause|resume|stop <id>
 */
import { Decimal } from '../../core/money.ts';
import type { FollowKind } from '../../core/following/types.ts';
import type { CommandSpec } from './commands.ts';
import type { Token } from './tokenize.ts';

/** /counter or /copy: start following a wallet (confirmed before it is armed). */
export interface FollowStartCommand {
  name: 'counter' | 'copy';
  wallet: string;
  multiplier?: Decimal;
  maxTradeSize?: Decimal;
  delaySec?: number;
  dailyStopLoss?: Decimal;
  categories?: string[];
}

export type FollowsCommand =
  | { name: 'follows'; action: 'list'; all: boolean }
  | { name: 'follows'; action: 'show' | 'pause' | 'resume' | 'stop'; id: string };

export type FollowCommand = FollowStartCommand | FollowsCommand;
export type FollowName = FollowCommand['name'];

export const kindOf = (name: 'counter' | 'copy'): FollowKind => name;

const OPTIONS_USAGE = [
  '... x0.5 | x2            size = the target\'s shares × this (default x1, at most x999.99)',
  '... max $50              at most $50 per trade (also capped by your per-order limit)',
  '... delay 30 | delay 2m  wait before placing (re-quoted then; at most 1h)',
  '... stop $100            daily stop-loss: pause until the daily reset when today\'s PnL reaches -$100',
  '... categories politics,crypto   only markets in these categories (default: all)',
];

const WALLET_NOTE = '<wallet> is the Polymarket wallet to follow: 0x and 40 hex digits (its profile address).';
const COMMON_NOTES = [
  'Nothing is traded when you start it; you see a summary and Confirm within 60 seconds, because from then on orders go out for every trade of the target without asking again.',
  'Only the target\'s trades from now on are followed. Each of its trades gives at most one order of yours; you get one message per trade saying what it did and what you did (or why nothing was placed: a market yesno does not list, outside your categories, below the venue minimum).',
  'Orders go through the SmartRouter: a market listed on Kalshi too may be bought there when it is cheaper. /follows shows today\'s PnL and trade count; /follows pause|resume|stop <id>.',
];

export const FOLLOW_SPECS: readonly CommandSpec[] = [
  {
    name: 'counter',
    aliases: ['fade', 'countertrade'],
    summary: 'counter-trade a wallet: take the opposite side of each of its trades (asks you to confirm)',
    usage: ['/counter <wallet>                     fade every trade of that wallet, same size', ...OPTIONS_USAGE],
    examples: [
      '/counter 0x56687bf447db6ffa42ffe2204a05edaa20f55839',
      '/counter 0x56687bf447db6ffa42ffe2204a05edaa20f55839 x0.5 max $50 stop $100',
      '/counter 0x56687bf447db6ffa42ffe2204a05edaa20f55839 x2 delay 30 categories politics,crypto',
    ],
    notes: [
      WALLET_NOTE,
      'The rule (strategy "inverse"): when the target BUYS an outcome, you buy the OPPOSITE outcome of the same market (it buys YES → you buy NO, and the other way round). When the target SELLS an outcome, you sell the opposite shares this counter-trade bought (you exit the matching counter position), never more than it bought and you still hold; if it holds none, nothing happens.',
      'Size: the target\'s shares × your multiplier, rounded down to the venue\'s share step, then capped so the order costs at most max (and your per-order limit). Below the venue\'s minimum size the trade is skipped and you are told. Exits are not capped by max.',
      ...COMMON_NOTES,
    ],
  },
  {
    name: 'copy',
    aliases: ['copytrade', 'mirror'],
    summary: 'copy-trade a wallet: make the same trades it makes (asks you to confirm)',
    usage: ['/copy <wallet>                        mirror every trade of that wallet, same size', ...OPTIONS_USAGE],
    examples: ['/copy 0x56687bf447db6ffa42ffe2204a05edaa20f55839', '/copy 0x56687bf447db6ffa42ffe2204a05edaa20f55839 x0.25 max $20 delay 10'],
    notes: [
      WALLET_NOTE,
      'The rule: when the target buys an outcome you buy the same outcome; when it sells, you sell what this copy-trade bought (never more than it bought and you still hold).',
      'Size: the target\'s shares × your multiplier, capped by max and your per-order limit; below the venue minimum the trade is skipped and you are told.',
      ...COMMON_NOTES,
    ],
  },
  {
    name: 'follows',
    aliases: ['following', 'counters', 'copies'],
    summary: 'your counter- and copy-trades with today\'s PnL and trade count; pause, resume, stop',
    usage: ['/follows                  active and paused ones, with today\'s PnL and trade count', '/follows all              stopped ones too', '/follows <id>             one in detail', '/follows pause <id>       stop following for now (resume later)', '/follows resume <id>', '/follows stop <id>        stop for good (positions are kept)'],
    examples: ['/follows', '/follows all', '/follows pause 1a2b3c4d', '/follows resume 1a2b3c4d', '/follows stop 1a2b3c4d'],
    notes: [
      '<id> is the id /follows shows, or its first 6+ characters.',
      'A follow paused by its daily stop-loss resumes by itself at the daily reset (midnight); /follows resume does not lift that pause.',
    ],
  },
];

export type FollowParse = { ok: true; command: FollowCommand } | { ok: false; problem: string; tryThis: string[] };

const no = (problem: string, ...tryThis: string[]): FollowParse => ({ ok: false, problem, tryThis });
const WALLET_RE = /^0x[0-9a-f]{40}$/i;
const SAMPLE = '0x56687bf447db6ffa42ffe2204a05edaa20f55839';

function usdWord(raw: string | undefined): Decimal | null {
  if (raw === undefined) return null;
  const s = raw.trim().replace(/^\$/, '').replace(/,/g, '');
  if (!/^(\d+(\.\d{1,6})?|\.\d{1,6})$/.test(s)) return null;
  const d = new Decimal(s);
  return d.gt(0) && d.lt('1e12') ? d : null;
}

function seconds(raw: string | undefined): number | null {
  const m = raw ? /^(\d{1,5})(s|sec|secs|seconds?|m|min|mins|minutes?)?$/i.exec(raw.trim()) : null;
  if (!m) return null;
  const n = Number(m[1]) * (m[2] && /^m/i.test(m[2]) ? 60 : 1);
  return Number.isInteger(n) ? n : null;
}

/** Parses /counter, /copy and /follows. */
export function parseFollow(name: FollowName, args: Token[]): FollowParse {
  const words = args.map((t) => t.value);
  if (name === 'follows') return parseFollows(words);
  const cmd = `/${name}`;
  const ex = (rest = '') => `${cmd} ${SAMPLE}${rest}`;
  if (words.length === 0) return no(`Which wallet? Give the Polymarket wallet address to ${name === 'counter' ? 'counter-trade' : 'copy'}.`, ex(), ex(' x0.5 max $50'));
  const wallet = words[0]!;
  if (!WALLET_RE.test(wallet)) {
    return no(`${JSON.stringify(wallet.length > 50 ? `${wallet.slice(0, 47)}...` : wallet)} is not a wallet address: it is 0x followed by 40 hex digits.`, ex());
  }
  const out: FollowStartCommand = { name, wallet: wallet.toLowerCase() };
  const once = (key: keyof FollowStartCommand, what: string): FollowParse | null => (out[key] !== undefined ? no(`Give ${what} once.`, ex(' x0.5 max $50 stop $100')) : null);
  for (let i = 1; i < words.length; ) {
    const w = words[i]!;
    const lw = w.toLowerCase();
    const mult = /^(?:x|×)(\d+(?:\.\d+)?)$|^(\d+(?:\.\d+)?)(?:x|×)$/i.exec(w);
    if (mult || lw === 'x' || lw === '×') {
      const dup = once('multiplier', 'the multiplier');
      if (dup) return dup;
      const raw = mult ? (mult[1] ?? mult[2])! : words[i + 1];
      i += mult ? 1 : 2;
      const m = raw && /^\d+(\.\d+)?$/.test(raw) ? new Decimal(raw) : null;
      if (!m || m.lte(0)) return no(`The multiplier must be a number above 0 like x0.5 or x2 (got ${JSON.stringify(raw ?? '')}).`, ex(' x0.5'));
      if (m.decimalPlaces() > 2) return no(`The multiplier has at most 2 decimal places (got x${m.toFixed()}).`, ex(' x0.25'));
      if (m.gt('999.99')) return no(`The multiplier is at most x999.99 (got x${m.toFixed()}).`, ex(' x2'));
      out.multiplier = m;
      continue;
    }
    if (lw === 'max' || lw === 'cap') {
      const dup = once('maxTradeSize', 'max');
      if (dup) return dup;
      const v = usdWord(words[i + 1]);
      if (!v) return no(`max is a dollar amount per trade, like max $50 (got ${JSON.stringify(words[i + 1] ?? '')}).`, ex(' max $50'));
      out.maxTradeSize = v;
      i += 2;
      continue;
    }
    if (lw === 'delay' || lw === 'wait') {
      const dup = once('delaySec', 'delay');
      if (dup) return dup;
      const s = seconds(words[i + 1]);
      if (s === null) return no(`delay is a number of seconds like delay 30 (or delay 2m) (got ${JSON.stringify(words[i + 1] ?? '')}).`, ex(' delay 30'));
      if (s > 3600) return no(`delay is at most one hour (3600 seconds); ${s} is too long.`, ex(' delay 30'));
      out.delaySec = s;
      i += 2;
      continue;
    }
    if (lw === 'stop' || lw === 'stoploss' || lw === 'sl') {
      const dup = once('dailyStopLoss', 'the stop-loss');
      if (dup) return dup;
      const v = usdWord(words[i + 1]);
      if (!v) return no(`stop is a daily loss in dollars, like stop $100 (got ${JSON.stringify(words[i + 1] ?? '')}).`, ex(' stop $100'));
      out.dailyStopLoss = v;
      i += 2;
      continue;
    }
    if (lw === 'categories' || lw === 'category' || lw === 'cats' || lw === 'in') {
      const dup = once('categories', 'categories');
      if (dup) return dup;
      const list: string[] = [];
      let j = i + 1;
      // Everything up to the next option word: "categories politics, crypto" or "politics,crypto".
      while (j < words.length && !/^(x\d|\d+x$|×|max$|cap$|delay$|wait$|stop$|stoploss$|sl$)/i.test(words[j]!)) {
        list.push(...words[j]!.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
        j++;
      }
      if (list.length === 0) return no('Which categories? List them after the word, like categories politics,crypto.', ex(' categories politics,crypto'));
      out.categories = [...new Set(list)];
      i = j;
      continue;
    }
    return no(`I didn't understand ${JSON.stringify(words.slice(i).join(' '))}.`, ex(' x0.5 max $50 delay 30 stop $100 categories politics,crypto'));
  }
  return { ok: true, command: out };
}

const ID_RE = /^#?[0-9a-f][0-9a-f-]{5,35}$/i;

function parseFollows(words: string[]): FollowParse {
  const first = words[0]?.toLowerCase();
  if (first === undefined) return { ok: true, command: { name: 'follows', action: 'list', all: false } };
  if (first === 'all') {
    if (words.length > 1) return no('/follows all takes nothing after it.', '/follows all');
    return { ok: true, command: { name: 'follows', action: 'list', all: true } };
  }
  const actions = { pause: 'pause', resume: 'resume', stop: 'stop', unpause: 'resume', start: 'resume', delete: 'stop', remove: 'stop', cancel: 'stop' } as const;
  const action = actions[first as keyof typeof actions];
  if (action) {
    const id = words[1];
    if (!id) return no(`Which one? Give its id from /follows.`, `/follows ${action} 1a2b3c4d`);
    if (words.length > 2) return no(`/follows ${action} takes one id.`, `/follows ${action} 1a2b3c4d`);
    if (!ID_RE.test(id)) return no(`${JSON.stringify(id)} is not a follow id (ids look like 1a2b3c4d, as /follows shows them).`, `/follows ${action} 1a2b3c4d`);
    return { ok: true, command: { name: 'follows', action, id: id.replace(/^#/, '').toLowerCase() } };
  }
  if (ID_RE.test(words[0]!) && words.length === 1) return { ok: true, command: { name: 'follows', action: 'show', id: words[0]!.replace(/^#/, '').toLowerCase() } };
  return no(`I don't know ${JSON.stringify(words.join(' '))} here.`, '/follows', '/follows pause 1a2b3c4d', '/follows stop 1a2b3c4d');
}
